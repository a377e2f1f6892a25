/**
 * One load-generating participant of the call bench: the web client's own media engine
 * (web/src/lib/callMedia.ts) over @roamhq/wrtc with a small synthetic camera and a tone, as the
 * test kit's CallPeer, but receiving video only from the participants `onScreen` picks (audio from
 * everyone) and timing its join up to the first decoded remote video frame.
 */
import wrtc from '@roamhq/wrtc';
import type { JoinResult, ProducerInfo } from '../../signaling/protocol/calls';
import { request, type TestSocket } from '../../test/support/client';
import { flatGray, NODE_HANDLER, SyntheticDevices } from '../../test/support/media';
import { CallMedia } from '../../web/src/lib/callMedia';
import { socketRequest } from '../../web/src/lib/socketRequest';
import type { BenchCallPeerOptions } from './BenchCallPeerTypes';

export class BenchCallPeer {
  readonly media: CallMedia;
  private readonly devices: SyntheticDevices;
  private firstFrame: Promise<number>;
  private frameSeen: (at: number) => void = () => undefined;
  private readonly sinks: { stop(): void }[] = [];

  constructor(private readonly options: BenchCallPeerOptions) {
    const { uid, socket, camera } = options;
    this.devices = new SyntheticDevices({ ...camera, paint: flatGray });
    this.firstFrame = this.nextFrame();
    this.media = new CallMedia({
      callid: '',
      selfUid: uid,
      request: (event, payload) => socketRequest(socket, event, payload),
      devices: this.devices,
      handlerName: NODE_HANDLER,
      // hidden tiles' video consumed but paused server-side (call:consumer:pause), as the web does
      videoOnDemand: options.pauseHidden,
      listener: {
        remoteAdded: (remote) => {
          if (remote.kind !== 'video') return;
          if (options.pauseHidden && options.onScreen(remote.uid)) void this.media.setFlowing(remote.consumerId, true);
          this.watchFirstFrame(remote.track);
        },
        remoteRemoved() {},
        localChanged() {},
        transportState() {},
        failed: (reason) => process.stderr.write(`[${options.name}] media failed: ${reason}\n`),
      },
    });
    socket.on('call:producer:new', ({ callid, ...producer }) => {
      if (callid === this.media.callid) void this.receive(producer);
    });
    socket.on('call:producer:closed', ({ callid, producerId }) => {
      if (callid === this.media.callid) this.media.producerClosed(producerId);
    });
    socket.on('call:consumer:closed', ({ callid, consumerId }) => {
      if (callid === this.media.callid) this.media.consumerClosed(consumerId);
    });
  }

  get socket(): TestSocket {
    return this.options.socket;
  }

  /**
   * Joins with camera and microphone; resolves with the time from call:join to the first decoded
   * remote video frame (null when no one on screen sends video yet, or none came in `frameWaitMs`).
   */
  async join(callid: string, frameWaitMs = 20_000): Promise<number | null> {
    const problems = await this.media.openLocal('video');
    if (problems.length) throw new Error(`${this.options.name}: ${JSON.stringify(problems)}`);
    this.media.callid = callid;
    const began = performance.now();
    const joined = await request<JoinResult>(this.options.socket, 'call:join', { callid });
    const expectVideo = joined.producers.some((p) => p.kind === 'video' && this.options.onScreen(p.uid));
    await this.media.connect({ ...joined, producers: [] });
    await Promise.all(joined.producers.map((p) => this.receive(p)));
    if (!expectVideo) return null;
    const timeout = new Promise<null>((resolve) => setTimeout(() => resolve(null), frameWaitMs).unref());
    const at = await Promise.race([this.firstFrame, timeout]);
    return at === null ? null : at - began;
  }

  /** Audio always; video when its sender is on screen (or, with pauseHidden, consumed and left paused). */
  private async receive(p: ProducerInfo): Promise<void> {
    if (p.kind === 'audio' || this.options.pauseHidden || this.options.onScreen(p.uid)) await this.media.consume(p);
  }

  private nextFrame(): Promise<number> {
    return new Promise((resolve) => {
      this.frameSeen = resolve;
    });
  }

  private watchFirstFrame(track: MediaStreamTrack): void {
    const sink = new wrtc.nonstandard.RTCVideoSink(track);
    this.sinks.push(sink);
    sink.onframe = () => {
      this.frameSeen(performance.now());
      sink.stop();
    };
  }

  close(): void {
    for (const sink of this.sinks.splice(0)) sink.stop();
    this.media.close();
    this.devices.close();
    this.options.socket.close();
  }
}
