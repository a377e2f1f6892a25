/** Cheap synthetic media for @roamhq/wrtc's nonstandard sources (call peers, live publishers). */

interface AudioSink {
  onData(data: { samples: Int16Array; sampleRate: number; bitsPerSample: number; channelCount: number; numberOfFrames: number }): void;
}

/** A 440 Hz tone: 10 ms frames, two every 20 ms (timers are coarse; the source buffers). */
export function startTone(source: AudioSink): NodeJS.Timeout {
  const sampleRate = 48_000;
  const frames = sampleRate / 100;
  let t = 0;
  return setInterval(() => {
    for (let k = 0; k < 2; k++) {
      const samples = new Int16Array(frames);
      for (let i = 0; i < frames; i++, t++) samples[i] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * t) / sampleRate));
      source.onData({ samples, sampleRate, bitsPerSample: 16, channelCount: 1, numberOfFrames: frames });
    }
  }, 20);
}
