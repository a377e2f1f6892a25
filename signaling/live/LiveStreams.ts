import type { LiveStreamInfo } from '../protocol/live';
import { userRoom } from '../socket/Fanout';
import type { LiveDeps } from './LiveDeps';
import type { LiveHlsSigner } from './LiveHlsSigner';
import { liveRoom } from './liveRooms';
import type { LiveStream } from './LiveStream';
import { liveStreamView } from './liveViews';

/** The streams this process runs, how they are shown, and who hears of their changes. */
export class LiveStreams {
  private readonly streams = new Map<string, LiveStream>();

  constructor(
    private readonly deps: LiveDeps,
    readonly hlsUrls: LiveHlsSigner,
  ) {}

  get(streamid: string): LiveStream | undefined {
    return this.streams.get(streamid);
  }

  has(streamid: string): boolean {
    return this.streams.has(streamid);
  }

  get size(): number {
    return this.streams.size;
  }

  all(): LiveStream[] {
    return [...this.streams.values()];
  }

  ids(): string[] {
    return [...this.streams.keys()];
  }

  add(stream: LiveStream): void {
    this.streams.set(stream.streamid, stream);
    this.refreshMetrics();
  }

  delete(streamid: string): void {
    this.streams.delete(streamid);
    this.refreshMetrics();
  }

  view(stream: LiveStream): LiveStreamInfo {
    return liveStreamView(stream.doc(this.deps.nodeId), this.hlsUrls);
  }

  /** To the viewers and the publisher: the stream's state changed. */
  emitUpdate(streamid: string, stream: LiveStreamInfo, publisherUid: string): void {
    this.deps.io.to(liveRoom(streamid)).to(userRoom(publisherUid)).emit('live:update', { stream });
  }

  private refreshMetrics(): void {
    this.deps.metrics.liveStreams.set(this.streams.size);
  }
}
