/** Camera and microphone settings shared by calls and live streams, and readable media errors. */

export type Facing = 'user' | 'environment';

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
