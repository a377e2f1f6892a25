/**
 * WebRTC media inside Node for the call and live tests: @roamhq/wrtc's peer connection as the
 * globals mediasoup-client's 'Chrome111' handler expects, synthetic camera and microphone devices
 * (a 440 Hz tone, painted I420 frames) that the web's media engines open like a browser's, the
 * mediasoup worker the servers use, and the clean-up wrtc needs before the process exits.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import wrtc from '@roamhq/wrtc';
import { ensureMediasoupWorker } from '../../standins/mediasoup/ensureMediasoupWorker.mjs';
import type { LocalDevices } from '../../web/src/lib/localMedia';
import type { HandlerName } from '../../web/src/lib/mediasoupDevice';
import { sleep } from './wait';

Object.assign(globalThis, {
  RTCPeerConnection: wrtc.RTCPeerConnection,
  RTCSessionDescription: wrtc.RTCSessionDescription,
  RTCIceCandidate: wrtc.RTCIceCandidate,
  MediaStream: wrtc.MediaStream,
  MediaStreamTrack: wrtc.MediaStreamTrack,
  RTCRtpSender: wrtc.RTCRtpSender,
  RTCRtpReceiver: wrtc.RTCRtpReceiver,
  RTCRtpTransceiver: wrtc.RTCRtpTransceiver,
});

/** The mediasoup-client handler the engines run on in Node (no browser to detect one from). */
export const NODE_HANDLER: HandlerName = 'Chrome111';

/** Builds (first time, minutes) or finds the cached worker, and hands it to the servers started after. */
export async function prepareMediasoup(): Promise<void> {
  process.env.MEDIASOUP_WORKER_BIN = await ensureMediasoupWorker({ log: (line) => process.stderr.write(`[mediasoup-worker] ${line}\n`) });
}

export type FramePainter = (frame: Uint8Array, width: number, height: number, index: number) => void;

/** A moving gradient, so the encoder has something to encode. */
export const gradient: FramePainter = (frame, width, height, index) => {
  for (let y = 0; y < height; y++) frame.fill(16 + ((y + index * 4) % 200), y * width, (y + 1) * width);
  frame.fill(128, width * height);
};

/** One flat gray that brightens frame by frame: the cheapest video to encode. */
export const flatGray: FramePainter = (frame, width, height, index) => {
  frame.fill(16 + (index % 200), 0, width * height);
  frame.fill(128, width * height);
};

export interface SyntheticMediaOptions {
  width?: number;
  height?: number;
  fps?: number;
  paint?: FramePainter;
  /** false: no microphone (asking for one alone fails as a browser's would). */
  audio?: boolean;
}

/** A 440 Hz tone: 10 ms frames, two every 20 ms (timers are coarse; the source buffers). */
function startTone(source: InstanceType<typeof wrtc.nonstandard.RTCAudioSource>): NodeJS.Timeout {
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

class DeviceMissingError extends Error {
  override readonly name = 'NotFoundError';
}

/**
 * A camera, a screen and a microphone made of wrtc's nonstandard sources, behind the same
 * interface as `navigator.mediaDevices`: each request opens fresh tracks, fed until close().
 */
export class SyntheticDevices implements LocalDevices {
  readonly width: number;
  readonly height: number;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly tracks: MediaStreamTrack[] = [];

  constructor(private readonly options: SyntheticMediaOptions = {}) {
    this.width = options.width ?? 320;
    this.height = options.height ?? 240;
  }

  async getUserMedia(constraints: MediaStreamConstraints = {}): Promise<MediaStream> {
    const wantAudio = !!constraints.audio && this.options.audio !== false;
    if (constraints.audio && !constraints.video && !wantAudio) throw new DeviceMissingError('no microphone');
    const tracks: MediaStreamTrack[] = [];
    if (wantAudio) tracks.push(this.microphone());
    if (constraints.video) tracks.push(this.camera());
    return new wrtc.MediaStream(tracks);
  }

  async getDisplayMedia(): Promise<MediaStream> {
    return new wrtc.MediaStream([this.camera()]);
  }

  async enumerateDevices(): Promise<MediaDeviceInfo[]> {
    const info = (kind: MediaDeviceKind, label: string): MediaDeviceInfo => {
      const fields = { deviceId: `synthetic-${kind}`, groupId: 'synthetic', kind, label };
      return { ...fields, toJSON: () => fields };
    };
    return this.options.audio === false ? [info('videoinput', 'camera')] : [info('videoinput', 'camera'), info('audioinput', 'tone')];
  }

  /** Stops every track opened here and the timers feeding them. */
  close(): void {
    for (const timer of this.timers.splice(0)) clearInterval(timer);
    for (const track of this.tracks.splice(0)) track.stop();
  }

  private microphone(): MediaStreamTrack {
    const source = new wrtc.nonstandard.RTCAudioSource();
    this.timers.push(startTone(source));
    return this.keep(source.createTrack());
  }

  private camera(): MediaStreamTrack {
    const source = new wrtc.nonstandard.RTCVideoSource();
    const { width, height } = this;
    const data = new Uint8Array(width * height * 1.5);
    const paint = this.options.paint ?? gradient;
    let index = 0;
    this.timers.push(
      setInterval(() => {
        paint(data, width, height, index++);
        source.onFrame({ width, height, data });
      }, Math.round(1000 / (this.options.fps ?? 30))),
    );
    return this.keep(source.createTrack());
  }

  private keep(track: MediaStreamTrack): MediaStreamTrack {
    this.tracks.push(track);
    return track;
  }
}

/** Names of the media peers not garbage-collected yet (closeAll checks that none outlives the tests). */
const alive = new Set<string>();
const registry = new FinalizationRegistry<string>((key) => alive.delete(key));
let aliveSeq = 0;

/** Counts `peer` as alive until it is garbage-collected. */
export function watchLifetime(peer: object, name: string): void {
  const key = `${name}#${++aliveSeq}`;
  alive.add(key);
  registry.register(peer, key);
}

/**
 * Closes the test's peers and sockets, drops every reference to them and collects the garbage while
 * the process still runs: @roamhq/wrtc crashes the process (SIGSEGV/abort in its finalizers) when
 * Node tears down the environment with its peer connections, sources and tracks still alive. The
 * callers keep no other references (peers live only in `open` and in test functions that returned).
 */
export async function closeAll(open: { close(): void }[]): Promise<void> {
  closeEach(open);
  await sleep(200);
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  for (let i = 0; i < 10 && (i < 3 || alive.size > 0); i++) {
    gc();
    await sleep(50);
  }
  if (alive.size > 0) process.stderr.write(`closeAll: media peers still referenced (the process may crash at exit): ${[...alive].join(', ')}\n`);
}

/**
 * Not inlined into closeAll: the loop variable would stay in closeAll's (suspended) frame and keep
 * the last closed item (a peer, with its wrtc sources) alive through the collections.
 */
function closeEach(open: { close(): void }[]): void {
  for (const o of open.splice(0)) o.close();
}
