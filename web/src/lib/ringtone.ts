/**
 * An incoming call's ringtone, made with WebAudio (no sound file): two short chords, a pause, again,
 * until stopped. Browsers may keep audio suspended until the page was interacted with: it then starts
 * with the first interaction.
 */
const PATTERN_MS = 3000;
const TONES = [440, 480];

let context: AudioContext | null = null;
let timer: ReturnType<typeof setInterval> | undefined;
let resumeOnGesture: (() => void) | undefined;

function chord(ctx: AudioContext, at: number, length: number): void {
  const gain = ctx.createGain();
  gain.gain.setValueAtTime(0, at);
  gain.gain.linearRampToValueAtTime(0.12, at + 0.03);
  gain.gain.setValueAtTime(0.12, at + length - 0.05);
  gain.gain.linearRampToValueAtTime(0, at + length);
  gain.connect(ctx.destination);
  for (const frequency of TONES) {
    const osc = ctx.createOscillator();
    osc.frequency.value = frequency;
    osc.connect(gain);
    osc.start(at);
    osc.stop(at + length);
  }
}

function ring(ctx: AudioContext): void {
  const now = ctx.currentTime;
  chord(ctx, now, 0.4);
  chord(ctx, now + 0.6, 0.4);
}

export const ringtone = {
  /** True from start() to stop(). */
  get playing(): boolean {
    return context !== null;
  },

  /** The audio clock's state ('running' once the browser lets it play). */
  get audioState(): AudioContextState | 'off' {
    return context?.state ?? 'off';
  },

  start(): void {
    if (context || typeof AudioContext === 'undefined') return;
    const ctx = new AudioContext();
    context = ctx;
    // visible to tests (and styles): the page is ringing
    document.documentElement.dataset.ringing = 'true';
    ring(ctx);
    timer = setInterval(() => ring(ctx), PATTERN_MS);
    if (ctx.state === 'suspended') {
      void ctx.resume().catch(() => undefined);
      resumeOnGesture = () => void ctx.resume().catch(() => undefined);
      window.addEventListener('pointerdown', resumeOnGesture, { once: true });
      window.addEventListener('keydown', resumeOnGesture, { once: true });
    }
  },

  stop(): void {
    clearInterval(timer);
    timer = undefined;
    if (resumeOnGesture) {
      window.removeEventListener('pointerdown', resumeOnGesture);
      window.removeEventListener('keydown', resumeOnGesture);
      resumeOnGesture = undefined;
    }
    void context?.close().catch(() => undefined);
    context = null;
    delete document.documentElement.dataset.ringing;
  },
};
