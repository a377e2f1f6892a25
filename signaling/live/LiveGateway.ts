import type { AppContext } from '../node/AppContext';
import { LiveCreatePayload, LiveProducePayload, LiveRefPayload, LiveTransportConnectPayload } from '../protocol/live';
import { guarded, parsePayload } from '../socket/ackError';
import type { ChatSocket } from '../socket/ChatSocket';
import { requesterOf } from '../socket/requester';
import { liveRoom, type LiveService } from './LiveService';
import { liveStreamView } from './liveViews';

/**
 * Where live stream requests enter: every payload validated at the edge. Publishing requests are
 * answered by this process (the publisher's socket created the stream here); watching works on
 * any process, from the stream's record.
 */
export class LiveGateway {
  constructor(
    private readonly ctx: AppContext,
    private readonly service: LiveService,
  ) {}

  attach(socket: ChatSocket): void {
    const logError = (err: unknown) => this.ctx.logger.error({ err }, 'live stream request failed');
    const s = this.service;
    socket.on('live:create', guarded((raw) => s.create(requesterOf(socket), parsePayload(LiveCreatePayload, raw)), logError));
    socket.on('live:transport:connect', guarded((raw) => s.connect(requesterOf(socket), parsePayload(LiveTransportConnectPayload, raw)), logError));
    socket.on('live:produce', guarded((raw) => s.produce(requesterOf(socket), parsePayload(LiveProducePayload, raw)), logError));
    socket.on('live:start', guarded((raw) => s.start(requesterOf(socket), parsePayload(LiveRefPayload, raw).streamid), logError));
    socket.on('live:stop', guarded((raw) => s.stop(requesterOf(socket), parsePayload(LiveRefPayload, raw).streamid), logError));
    socket.on(
      'live:watch',
      guarded(async (raw) => {
        const { streamid } = parsePayload(LiveRefPayload, raw);
        const requester = requesterOf(socket);
        const doc = await s.watchable(streamid, requester.uid, requester.sessions);
        await socket.join(liveRoom(streamid));
        const viewers = doc.state === 'ended' ? 0 : await s.recount(streamid);
        return { stream: { ...liveStreamView(doc, this.ctx.fileUrls), viewers } };
      }, logError),
    );
    socket.on(
      'live:unwatch',
      guarded(async (raw) => {
        const { streamid } = parsePayload(LiveRefPayload, raw);
        if (socket.rooms.has(liveRoom(streamid))) {
          await socket.leave(liveRoom(streamid));
          await s.recount(streamid);
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
}
