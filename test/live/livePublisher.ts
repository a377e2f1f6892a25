/**
 * A live stream publisher inside Node for integration tests and the HLS bench: socket.io-client
 * for signaling, mediasoup-client over @roamhq/wrtc for media (the globals callPeer installs), and
 * synthetic sources: a tone, and video frames painted by a caller-supplied function (I420).
 */
import wrtc from '@roamhq/wrtc';
import { Device } from 'mediasoup-client';
import type { types as mc } from 'mediasoup-client';
import type { LiveCreateResult, LiveStreamInfo } from '../../signaling/protocol/live';
import { request } from '../calls/callPeer';
import type { TestSocket } from '../support/client';
import { startTone } from '../support/syntheticMedia';

export type FramePainter = (frame: Uint8Array, width: number, height: number, index: number) => void;

/** A moving gradient, so the encoder has something to encode. */
export const gradient: FramePainter = (frame, width, height, index) => {
  for (let y = 0; y < height; y++) frame.fill(16 + ((y + index * 4) % 200), y * width, (y + 1) * width);
  frame.fill(128, width * height);
};

export interface LivePublisherOptions {
  width?: number;
  height?: number;
  fps?: number;
  paint?: FramePainter;
  audio?: boolean;
}

export class LivePublisher {
  stream: LiveStreamInfo | null = null;
  transport: mc.Transport | null = null;
  private readonly audioSource = new wrtc.nonstandard.RTCAudioSource();
  private readonly videoSource = new wrtc.nonstandard.RTCVideoSource();
  private readonly audioTrack = this.audioSource.createTrack();
  private readonly videoTrack = this.videoSource.createTrack();
  private timers: NodeJS.Timeout[] = [];
  readonly width: number;
  readonly height: number;

  constructor(
    public socket: TestSocket,
    private readonly options: LivePublisherOptions = {},
  ) {
    this.width = options.width ?? 320;
    this.height = options.height ?? 240;
    this.startSources();
  }

  get streamid(): string {
    if (!this.stream) throw new Error('create the stream first');
    return this.stream.streamid;
  }

  /** Times the server moved the stream's media (live:reconnectMedia) and this publisher sent again. */
  reconnects = 0;

  /** live:create, then the send transport and the tracks (camera, and the mic unless audio: false). */
  async create(payload: { title: string; sessionid?: string; visibility?: 'public' | 'members' }): Promise<LiveStreamInfo> {
    const created = await request<LiveCreateResult>(this.socket, 'live:create', payload);
    this.stream = created.stream;
    await this.sendMedia(created.stream.streamid, created);
    this.followMediaMoves();
    return created.stream;
  }

  /** The media moved to another mediasoup worker: send the tracks there and go on. */
  private followMediaMoves(): void {
    this.socket.on('live:reconnectMedia', (event) => {
      if (event.streamid !== this.stream?.streamid) return;
      void this.sendMedia(event.streamid, event)
        .then(() => this.start())
        .then(() => this.reconnects++);
    });
  }

  /** After the connection dropped: resume the stream over a new socket (any node), send the tracks, go on. */
  async resume(socket: TestSocket): Promise<LiveStreamInfo> {
    const streamid = this.streamid;
    this.socket = socket;
    const resumed = await request<LiveCreateResult>(socket, 'live:resume', { streamid });
    await this.sendMedia(streamid, resumed);
    this.followMediaMoves();
    return this.start();
  }

  private async sendMedia(streamid: string, media: Omit<LiveCreateResult, 'stream'>): Promise<void> {
    this.transport?.close();
    const device = new Device({ handlerName: 'Chrome111' });
    await device.load({ routerRtpCapabilities: media.routerRtpCapabilities as unknown as mc.RtpCapabilities });
    const info = media.transport;
    const transport = device.createSendTransport({
      id: info.transportId,
      iceParameters: info.iceParameters as unknown as mc.IceParameters,
      iceCandidates: info.iceCandidates as unknown as mc.IceCandidate[],
      dtlsParameters: info.dtlsParameters as unknown as mc.DtlsParameters,
    });
    transport.on('connect', ({ dtlsParameters }, ok, fail) => {
      request(this.socket, 'live:transport:connect', { streamid, transportId: transport.id, dtlsParameters }).then(() => ok(), fail);
    });
    transport.on('produce', ({ kind, rtpParameters, appData }, ok, fail) => {
      request<{ producerId: string }>(this.socket, 'live:produce', {
        streamid,
        transportId: transport.id,
        kind,
        rtpParameters,
        source: (appData as { source: string }).source,
      }).then(({ producerId }) => ok({ id: producerId }), fail);
    });
    this.transport = transport;
    await transport.produce({ track: this.videoTrack, appData: { source: 'camera' }, stopTracks: false, codecOptions: { videoGoogleStartBitrate: 800 } });
    if (this.options.audio !== false) await transport.produce({ track: this.audioTrack, appData: { source: 'mic' }, stopTracks: false });
  }

  async start(): Promise<LiveStreamInfo> {
    const { stream } = await request<{ stream: LiveStreamInfo }>(this.socket, 'live:start', { streamid: this.streamid });
    this.stream = stream;
    return stream;
  }

  async stop(): Promise<LiveStreamInfo> {
    const { stream } = await request<{ stream: LiveStreamInfo }>(this.socket, 'live:stop', { streamid: this.streamid });
    this.stream = stream;
    return stream;
  }

  close(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.transport?.close();
    this.transport = null;
    this.audioTrack.stop();
    this.videoTrack.stop();
    this.socket.close();
  }

  private startSources(): void {
    this.timers.push(startTone(this.audioSource));
    const { width, height } = this;
    const data = new Uint8Array(width * height * 1.5);
    const paint = this.options.paint ?? gradient;
    let index = 0;
    this.timers.push(
      setInterval(() => {
        paint(data, width, height, index++);
        this.videoSource.onFrame({ width, height, data });
      }, Math.round(1000 / (this.options.fps ?? 30))),
    );
  }
}
