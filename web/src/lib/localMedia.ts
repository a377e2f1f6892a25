/**
 * Camera and microphone settings shared by calls and live streams, readable media errors, and the
 * seam the media engines open tracks through: the browser's devices, or a synthetic source in tests.
 */

export type Facing = 'user' | 'environment';

/** Where the engines get local tracks from (the browser's `navigator.mediaDevices`, or a test source). */
export type LocalDevices = Pick<MediaDevices, 'getUserMedia' | 'getDisplayMedia' | 'enumerateDevices'>;

/** The browser's devices, or null where the page may not use them (no secure context). */
export function browserDevices(): LocalDevices | null {
  // mediaDevices is missing outside secure contexts (plain http on a LAN address)
  const devices: MediaDevices | undefined = typeof navigator === 'undefined' ? undefined : navigator.mediaDevices;
  return typeof devices?.getUserMedia === 'function' ? devices : null;
}

export const AUDIO_CONSTRAINTS: MediaTrackConstraints = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };

export function videoConstraints(facing: Facing, exact = false): MediaTrackConstraints {
  return {
    width: { ideal: 1280 },
    height: { ideal: 720 },
    frameRate: { ideal: 24, max: 30 },
    facingMode: exact ? { exact: facing } : facing,
  };
}

/** Desktop screen capture is offered where the browser has it and the pointer is not a finger. */
export function canCaptureScreen(): boolean {
  return !!navigator.mediaDevices?.getDisplayMedia && !window.matchMedia('(pointer: coarse)').matches;
}

export function describeMediaError(error: unknown): string {
  const name = error instanceof DOMException || error instanceof Error ? error.name : '';
  if (name === 'NotAllowedError') return 'permission was denied';
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return 'no such device';
  if (name === 'NotReadableError') return 'the device is in use by another app';
  return error instanceof Error ? error.message : String(error);
}
