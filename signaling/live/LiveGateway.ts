import type { AppContext } from '../node/AppContext';
import { LiveCreatePayload, LiveProducePayload, LiveRefPayload, LiveTransportConnectPayload } from '../protocol/live';
import { ApiError } from '../http/ApiError';
import { guarded, parsePayload } from '../socket/ackError';
import { RateLimiter } from '../util/RateLimiter';
import type { ChatSocket } from '../socket/ChatSocket';
import type { ChatServer } from '../socket/Fanout';
import { requesterOf } from '../socket/requester';
import { liveRoom, type LiveService } from './LiveService';
import { liveStreamView } from './liveViews';

/**
 * Where live stream requests enter: every payload validated at the edge. Publishing requests are
 * answered by this process (the publisher's socket created the stream here); watching works on
 * any process, from the stream's record.
 */
export class LiveGateway {
  /** Watching costs a count across every process: a few a second per user. */
  private readonly watchRate = new RateLimiter(5, 20);

  constructor(
    private readonly ctx: AppContext,
    io: ChatServer,
    private readonly service: LiveService,
  ) {
    // A publisher resuming on another process (or node) takes its stream over from this one.
    const nsp = io.of('/') as unknown as {
      on(event: 'live:release', listener: (streamid: string, ack: (released: boolean) => void) => void): void;
    };
    nsp.on('live:release', (streamid, ack) => ack(typeof streamid === 'string' && service.release(streamid)));
    service.releaseElsewhere = async (streamid) => {
      const adapter = io.of('/').adapter as { serverCount?: () => Promise<number> };
      if (typeof adapter.serverCount !== 'function' || (await adapter.serverCount()) <= 1) return;
      await new Promise<void>((resolve) => {
        try {
          (io as unknown as { serverSideEmit(e: string, id: string, ack: () => void): void }).serverSideEmit('live:release', streamid, () => resolve());
        } catch {
          resolve();
        }
      });
    };
  }

  attach(socket: ChatSocket): void {
    const logError = (err: unknown) => this.ctx.logger.error({ err }, 'live stream request failed');
    const s = this.service;
    socket.on('live:create', guarded((raw) => s.create(requesterOf(socket), parsePayload(LiveCreatePayload, raw)), logError));
    socket.on('live:transport:connect', guarded((raw) => s.connect(requesterOf(socket), parsePayload(LiveTransportConnectPayload, raw)), logError));
    socket.on('live:produce', guarded((raw) => s.produce(requesterOf(socket), parsePayload(LiveProducePayload, raw)), logError));
    socket.on('live:start', guarded((raw) => s.start(requesterOf(socket), parsePayload(LiveRefPayload, raw).streamid), logError));
    socket.on('live:resume', guarded((raw) => s.resume(requesterOf(socket), parsePayload(LiveRefPayload, raw).streamid), logError));
    socket.on('live:stop', guarded((raw) => s.stop(requesterOf(socket), parsePayload(LiveRefPayload, raw).streamid), logError));
    socket.on(
      'live:watch',
      guarded(async (raw) => {
        const { streamid } = parsePayload(LiveRefPayload, raw);
        const requester = requesterOf(socket);
        this.throttle(requester.uid);
        const doc = await s.watchable(streamid, requester.uid, requester.sessions);
        await socket.join(liveRoom(streamid));
        // A count that cannot be taken (a node going away) does not fail the watch.
        const viewers = doc.state === 'ended' ? 0 : await s.recount(streamid, doc).catch(() => doc.viewers);
        return { stream: { ...liveStreamView(doc, s.hlsUrls), viewers } };
      }, logError),
    );
    socket.on(
      'live:unwatch',
      guarded(async (raw) => {
        const { streamid } = parsePayload(LiveRefPayload, raw);
        if (socket.rooms.has(liveRoom(streamid))) {
          this.throttle(socket.data.uid);
          await socket.leave(liveRoom(streamid));
          await s.recount(streamid).catch(() => undefined);
        }
        return { ok: true as const };
      }, logError),
    );
    let watching: string[] = [];
    socket.on('disconnecting', () => {
      watching = [...socket.rooms].filter((r) => r.startsWith('live:')).map((r) => r.slice('live:'.length));
    });
    socket.on('disconnect', () => {
      s.publisherGone(socket.id);
      for (const streamid of watching) void s.recount(streamid).catch(() => undefined);
    });
  }

  private throttle(uid: string): void {
    if (!this.watchRate.take(uid)) throw ApiError.rateLimited('too many watch requests; slow down');
  }
}
