/**
 * Live streams in tests and the HLS bench: a publisher that drives the web client's own publishing
 * engine (web/src/lib/livePublisher.ts) over @roamhq/wrtc with synthetic devices, through the steps
 * the publisher's page takes (create, publish, start; again after live:reconnectMedia or a resume),
 * and the ffmpeg processes that write a stream.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import type { LiveCreateResult, LiveStreamInfo } from '../../signaling/protocol/live';
import { LivePublisher } from '../../web/src/lib/livePublisher';
import { socketRequest } from '../../web/src/lib/socketRequest';
import { request, type TestSocket } from './client';
import { NODE_HANDLER, SyntheticDevices, watchLifetime, type SyntheticMediaOptions } from './media';

export type { FramePainter } from './media';

export class LivePeer {
  stream: LiveStreamInfo | null = null;
  /** Times the server moved the stream's media (live:reconnectMedia) and this publisher sent again. */
  reconnects = 0;
  readonly engine: LivePublisher;
  private readonly devices: SyntheticDevices;
  private opened = false;

  constructor(
    public socket: TestSocket,
    options: SyntheticMediaOptions = {},
  ) {
    this.devices = new SyntheticDevices(options);
    this.engine = new LivePublisher((event, payload) => socketRequest(this.socket, event, payload), { localChanged() {}, transportState() {} }, {
      devices: this.devices,
      handlerName: NODE_HANDLER,
    });
    watchLifetime(this, 'publisher');
  }

  get width(): number {
    return this.devices.width;
  }

  get height(): number {
    return this.devices.height;
  }

  get streamid(): string {
    if (!this.stream) throw new Error('create the stream first');
    return this.stream.streamid;
  }

  /** live:create, then the send transport and the tracks (camera, and the mic unless audio: false). */
  async create(payload: { title: string; sessionid?: string; visibility?: 'public' | 'members' }): Promise<LiveStreamInfo> {
    await this.openDevices();
    const created = await request<LiveCreateResult>(this.socket, 'live:create', payload);
    this.stream = created.stream;
    await this.engine.publish(created.stream.streamid, created);
    this.followMediaMoves();
    return created.stream;
  }

  /** After the connection dropped: resume the stream over a new socket (any node), send the tracks, go on. */
  async resume(socket: TestSocket): Promise<LiveStreamInfo> {
    const streamid = this.streamid;
    this.socket = socket;
    const resumed = await request<LiveCreateResult>(socket, 'live:resume', { streamid });
    await this.engine.publish(streamid, resumed);
    this.followMediaMoves();
    return this.start();
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
    this.engine.close();
    this.devices.close();
    this.socket.close();
  }

  private async openDevices(): Promise<void> {
    if (this.opened) return;
    this.opened = true;
    await this.engine.open('camera');
    if (!this.engine.videoTrack) throw new Error('the synthetic camera did not open');
  }

  /** The media moved to another mediasoup worker: send the tracks there and go on. */
  private followMediaMoves(): void {
    const socket = this.socket;
    socket.on('live:reconnectMedia', (event) => {
      if (event.streamid !== this.stream?.streamid || socket !== this.socket) return;
      void this.engine
        .publish(event.streamid, event)
        .then(() => this.start())
        .then(() => this.reconnects++);
    });
  }
}

/** ffmpeg processes writing this stream (their working directory is the stream's folder). */
export function ffmpegPids(streamid: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').startsWith('ffmpeg') && path.basename(readlinkSync(`/proc/${entry}/cwd`)) === streamid) pids.push(Number(entry));
    } catch {
      /* gone, or not ours to read */
    }
  }
  return pids;
}

/** ffmpeg processes writing this stream's low-latency playlist (their working directory is its `ll` folder). */
export function llFfmpegPids(streamid: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cwd = readlinkSync(`/proc/${entry}/cwd`);
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').startsWith('ffmpeg') && path.basename(cwd) === 'll' && path.basename(path.dirname(cwd)) === streamid) pids.push(Number(entry));
    } catch {
      /* gone, or not ours to read */
    }
  }
  return pids;
}

/** A public live stream from a socket client (synthetic camera); the publisher goes into `open`. */
export async function startPublicStream(socket: TestSocket, title: string, open: LivePeer[]): Promise<string> {
  const publisher = new LivePeer(socket, { width: 320, height: 180, fps: 15 });
  open.push(publisher);
  const { streamid } = await publisher.create({ title, visibility: 'public' });
  await publisher.start();
  return streamid;
}
