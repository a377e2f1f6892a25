/**
 * Records a voice message with MediaRecorder: the microphone only while recording, the container
 * the browser supports (WebM/Opus in Chromium and Firefox, MP4/AAC in Safari), a running duration,
 * and an automatic stop at a maximum length.
 */
import { onBeforeUnmount, readonly, ref } from 'vue';

export type RecorderState = 'idle' | 'starting' | 'recording';

export interface VoiceClip {
  blob: Blob;
  durationMs: number;
}

const CANDIDATE_TYPES = ['audio/webm;codecs=opus', 'audio/webm', 'audio/mp4;codecs=mp4a.40.2', 'audio/mp4', 'audio/ogg;codecs=opus', 'audio/aac'];

function pickMimeType(): string | undefined {
  if (typeof MediaRecorder === 'undefined' || typeof MediaRecorder.isTypeSupported !== 'function') return undefined;
  return CANDIDATE_TYPES.find((type) => MediaRecorder.isTypeSupported(type));
}

export function voiceRecordingSupported(): boolean {
  return typeof MediaRecorder !== 'undefined' && !!navigator.mediaDevices?.getUserMedia;
}

/** A catalogue key (web/src/i18n), put into words where it shows. */
function describe(error: unknown): string {
  const name = error instanceof DOMException ? error.name : '';
  if (name === 'NotAllowedError' || name === 'SecurityError') return 'recorder.denied';
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return 'recorder.noMicrophone';
  if (name === 'NotReadableError') return 'recorder.inUse';
  if (!window.isSecureContext) return 'recorder.insecure';
  return 'recorder.failed';
}

export function useVoiceRecorder(options: { maxMs: number; onLimit: (clip: VoiceClip) => void }) {
  const state = ref<RecorderState>('idle');
  const elapsedMs = ref(0);
  /** A catalogue key (see describe). */
  const error = ref('');

  let stream: MediaStream | null = null;
  let recorder: MediaRecorder | null = null;
  let chunks: Blob[] = [];
  let startedAt = 0;
  let ticker: ReturnType<typeof setInterval> | undefined;
  /** Bumped on every start and cancel, so a late getUserMedia answer for an abandoned start is dropped. */
  let generation = 0;

  function release(): void {
    clearInterval(ticker);
    ticker = undefined;
    for (const track of stream?.getTracks() ?? []) track.stop();
    stream = null;
    recorder = null;
    chunks = [];
    state.value = 'idle';
  }

  async function start(): Promise<boolean> {
    if (state.value !== 'idle') return false;
    error.value = '';
    if (!voiceRecordingSupported()) {
      error.value = window.isSecureContext ? 'recorder.unsupported' : 'recorder.insecure';
      return false;
    }
    const mine = ++generation;
    state.value = 'starting';
    try {
      const media = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: true, noiseSuppression: true } });
      if (mine !== generation) {
        for (const track of media.getTracks()) track.stop();
        return false;
      }
      stream = media;
      const mimeType = pickMimeType();
      recorder = new MediaRecorder(media, mimeType ? { mimeType, audioBitsPerSecond: 48_000 } : undefined);
      chunks = [];
      recorder.addEventListener('dataavailable', (event) => {
        if (event.data.size > 0) chunks.push(event.data);
      });
      recorder.start(250);
      startedAt = performance.now();
      elapsedMs.value = 0;
      state.value = 'recording';
      ticker = setInterval(() => {
        elapsedMs.value = performance.now() - startedAt;
        if (elapsedMs.value >= options.maxMs) {
          void stop().then((clip) => clip && options.onLimit(clip));
        }
      }, 200);
      return true;
    } catch (e) {
      if (mine === generation) {
        error.value = describe(e);
        release();
      }
      return false;
    }
  }

  /** Stops and answers the recording (null when nothing was recorded). */
  function stop(): Promise<VoiceClip | null> {
    const active = recorder;
    if (!active || state.value !== 'recording') {
      cancel();
      return Promise.resolve(null);
    }
    const durationMs = performance.now() - startedAt;
    clearInterval(ticker);
    ticker = undefined;
    return new Promise((resolve) => {
      active.addEventListener(
        'stop',
        () => {
          const type = (active.mimeType || chunks[0]?.type || 'audio/webm').split(';')[0]!;
          const blob = new Blob(chunks, { type });
          release();
          resolve(blob.size > 0 ? { blob, durationMs } : null);
        },
        { once: true },
      );
      active.stop();
    });
  }

  function cancel(): void {
    generation++;
    if (recorder && recorder.state !== 'inactive') {
      try {
        recorder.stop();
      } catch {
        /* already stopped */
      }
    }
    release();
  }

  onBeforeUnmount(cancel);

  return { state: readonly(state), elapsedMs: readonly(elapsedMs), error, start, stop, cancel };
}
