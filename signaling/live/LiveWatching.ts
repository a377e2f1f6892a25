import type { LiveStreamDoc } from '../../storage/documents';
import type { LiveStreamStore } from '../../storage/LiveStreamStore';
import type { LiveStreamInfo } from '../protocol/live';
import type { ChatSocket } from '../socket/ChatSocket';
import { userRoom } from '../socket/Fanout';
import { requesterOf } from '../socket/requester';
import { RateLimiter } from '../util/RateLimiter';
import type { LiveDeps } from './LiveDeps';
import { StreamNotFoundError, StreamNotMemberError, WatchRateError } from './liveErrors';
import type { LiveHls } from './LiveHls';
import type { LiveHlsSigner } from './LiveHlsSigner';
import type { LiveQueries } from './LiveQueries';
import { liveRoom } from './liveRooms';
import type { LiveStreams } from './LiveStreams';
import { STALE_MS } from './liveTiming';
import { liveStreamView } from './liveViews';

/**
 * Watching, on any process, from the streams' records: who may watch, the list, and the viewers
 * (sockets in the stream's `live:<streamid>` room across the adapter), counted and announced.
 */
export class LiveWatching implements LiveQueries {
  /** Watching costs a count across every process: a few a second per user. */
  private readonly watchRate = new RateLimiter(5, 20);

  constructor(
    private readonly deps: LiveDeps,
    private readonly streams: LiveStreams,
    private readonly store: LiveStreamStore,
    readonly hlsUrls: LiveHlsSigner,
    private readonly hls: LiveHls,
  ) {}

  /** Where a stream's HLS files are (served to its viewers). */
  dir(streamid: string): string {
    return this.hls.dir(streamid);
  }

  /** `live:watch`: joins the viewer room and answers the stream with its count. */
  async watch(socket: ChatSocket, streamid: string): Promise<{ stream: LiveStreamInfo }> {
    const requester = requesterOf(socket);
    this.throttle(requester.uid);
    const doc = await this.watchable(streamid, requester.uid, requester.sessions);
    await socket.join(liveRoom(streamid));
    // A count that cannot be taken (a node going away) does not fail the watch.
    const viewers = doc.state === 'ended' ? 0 : await this.recount(streamid, doc).catch(() => doc.viewers);
    return { stream: { ...liveStreamView(doc, this.hlsUrls), viewers } };
  }

  async unwatch(socket: ChatSocket, streamid: string): Promise<{ ok: true }> {
    if (socket.rooms.has(liveRoom(streamid))) {
      this.throttle(socket.data.uid);
      await socket.leave(liveRoom(streamid));
      await this.recount(streamid).catch(() => undefined);
    }
    return { ok: true };
  }

  /** Whether the user may watch: public streams anyone, the others the members of their conversation. */
  async canWatch(doc: LiveStreamDoc, uid: string, sessions?: string[]): Promise<boolean> {
    if (doc.visibility === 'public' || doc.publisher.uid === uid) return true;
    if (!doc.sessionid) return false;
    if (sessions?.includes(doc.sessionid)) return true;
    return this.deps.sessions.isMember(doc.sessionid, uid);
  }

  /** The stream, if it exists and the user may watch it (else stream_not_found / not_member). */
  async watchable(streamid: string, uid: string, sessions?: string[]): Promise<LiveStreamDoc> {
    const doc = await this.store.get(streamid);
    if (!doc) throw new StreamNotFoundError();
    if (!(await this.canWatch(doc, uid, sessions))) throw new StreamNotMemberError();
    return doc;
  }

  /** Streams going on that the user may watch (GET /api/live). */
  async listFor(uid: string): Promise<LiveStreamInfo[]> {
    const running = await this.store.listRunning(Date.now() - STALE_MS);
    const members = running.some((d) => d.visibility === 'members') ? new Set(await this.deps.sessions.joinedIds(uid)) : new Set<string>();
    return running
      .filter((d) => d.visibility === 'public' || d.publisher.uid === uid || (d.sessionid && members.has(d.sessionid)))
      .map((d) => liveStreamView(d, this.hlsUrls));
  }

  /** Counts the sockets in the stream's viewer room (every process), records and announces it (`known`: its record, just read). */
  async recount(streamid: string, known?: LiveStreamDoc): Promise<number> {
    const { io } = this.deps;
    const sockets = await io.in(liveRoom(streamid)).fetchSockets();
    const viewers = sockets.length;
    const local = this.streams.get(streamid);
    if (local) local.viewers = viewers;
    const doc = known ?? (await this.store.get(streamid));
    if (!doc || doc.state === 'ended') return viewers;
    if (doc.viewers !== viewers) await this.store.update(streamid, { viewers });
    io.to(liveRoom(streamid)).to(userRoom(doc.publisher.uid)).emit('live:viewers', { streamid, viewers });
    return viewers;
  }

  private throttle(uid: string): void {
    if (!this.watchRate.take(uid)) throw new WatchRateError();
  }
}
