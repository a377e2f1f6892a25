/**
 * This browser's side of a call's devices: microphone and camera on/off, the front/back camera,
 * screen sharing, the local previews, and sound output (autoplay rules). Each works on the call's
 * media engine, handed in by the caller, and mirrors what it did into the call state.
 */
import type { MediaSource } from '@protocol';
import type { CallMedia } from '@/lib/callMedia';
import { mediaFailureText } from '@/i18n/mediaText';
import { callState, showNotice } from './callState';
import { callErrorText } from './callSignaling';

/** Copies the engine's local state (or "none" without one) into the call state. */
export function syncLocal(media: CallMedia | null): void {
  callState.micOn = media?.micOn ?? false;
  callState.cameraOn = media?.cameraOn ?? false;
  callState.hasMic = media?.hasMic ?? false;
  callState.sharingScreen = media?.sharingScreen ?? false;
  callState.canSwitchCamera = (media?.cameraCount ?? 0) > 1;
  callState.localVersion++;
}

export async function toggleMic(media: CallMedia | null): Promise<void> {
  if (!media) return;
  await media.setMic(!media.micOn).catch((e) => showNotice(callErrorText(e)));
  syncLocal(media);
}

export async function toggleCamera(media: CallMedia | null): Promise<void> {
  if (!media) return;
  await media.setCamera(!media.cameraOn).catch((e) => showNotice(mediaFailureText('camera', e)));
  syncLocal(media);
}

export async function switchCamera(media: CallMedia | null): Promise<void> {
  await media?.switchCamera().catch((e) => showNotice(mediaFailureText('camera', e)));
  syncLocal(media);
}

export async function toggleScreenShare(media: CallMedia | null): Promise<void> {
  if (!media) return;
  try {
    if (media.sharingScreen) await media.stopScreenShare();
    else await media.startScreenShare();
  } catch (e) {
    // closing the browser's picker is no error worth showing
    if (!(e instanceof DOMException && e.name === 'NotAllowedError')) showNotice(mediaFailureText('screen', e));
  }
  syncLocal(media);
}

export function localTrack(media: CallMedia | null, source: MediaSource): MediaStreamTrack | null {
  void callState.localVersion; // reactive dependency
  return media?.localTrack(source) ?? null;
}

/** Safari and Chrome let media play once the page had a tap: use the accept/start tap now. */
export function primeAudio(): void {
  try {
    const Ctx = window.AudioContext ?? (window as Window & { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
    if (!Ctx) return;
    const ctx = new Ctx();
    void ctx.resume().finally(() => setTimeout(() => void ctx.close(), 1000));
  } catch {
    /* nothing to prime */
  }
}

/** A remote <audio> could not start without a tap: offer "tap to enable sound". */
export function audioBlocked(): void {
  callState.audioBlocked = true;
}

export function enableSound(): void {
  callState.audioBlocked = false;
  callState.audioKick++;
}
