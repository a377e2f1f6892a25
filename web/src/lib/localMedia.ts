/**
 * Camera and microphone settings shared by calls and live streams, why a device failed, and the
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

/**
 * Why a camera, microphone or screen could not be used: a catalogue key of web/src/i18n when the
 * reason is a known one, else the browser's own words. (This file stays free of the i18n library:
 * the media engines that use it also run in Node tests; the views put the reason into words.)
 */
export type MediaErrorReason = { key: `media.reason.${'denied' | 'noDevice' | 'inUse' | 'insecure'}` } | string;

/** A device the engine could not open, and why. */
export interface MediaProblem {
  device: 'camera' | 'microphone';
  reason: MediaErrorReason;
}

/** Outside a secure context (plain http on a LAN address) the page may use no device at all. */
export const INSECURE: MediaErrorReason = { key: 'media.reason.insecure' };

export function mediaErrorReason(error: unknown): MediaErrorReason {
  const name = error instanceof DOMException || error instanceof Error ? error.name : '';
  if (name === 'NotAllowedError') return { key: 'media.reason.denied' };
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return { key: 'media.reason.noDevice' };
  if (name === 'NotReadableError') return { key: 'media.reason.inUse' };
  if (name === 'SecurityError') return INSECURE;
  return error instanceof Error ? error.message : String(error);
}
