import type { AppContext } from '../node/AppContext';
import { authenticate } from '../http/requireUser';
import { guarded } from './ackError';
import { sessionRoom, userRoom, type ChatServer } from './Fanout';
import type { ChatSocket } from './ChatSocket';
import { messageHandler } from './handlers/messageHandler';
import { announceOffline, announcePresence, presenceHandler } from './handlers/presenceHandler';
import { syncHandler } from './handlers/syncHandler';
import { typingHandler } from './handlers/typingHandler';
import { guardEventSizes } from './eventSizeGuard';
import { socketsPerUserLimit } from './socketsPerUser';

/**
 * Handshake auth (PROTOCOL.md: a bad token is a connect_error whose message is the code), then on
 * connect: the socket joins its user's room and every session the user belongs to, its online
 * record is written, and the keepalive keeps it fresh (S17).
 */
export function registerSocketHandlers(ctx: AppContext, io: ChatServer): void {
  const onlineTtlMs = ctx.config.onlineTtl * 1000;
  const sendMessage = messageHandler(ctx);
  const setPresence = presenceHandler(ctx);
  const sync = syncHandler(ctx);
  const typing = typingHandler(ctx);
  const joinedAtHandshake = new WeakMap<ChatSocket, string[]>();
  const logError = (err: unknown) => ctx.logger.error({ err }, 'socket request failed');
  const admitSocket = socketsPerUserLimit(ctx, io);

  io.use(guardEventSizes);
  io.use(async (socket: ChatSocket, next) => {
    try {
      const token = (socket.handshake.auth as { token?: unknown })?.token;
      const user = await authenticate(ctx, typeof token === 'string' ? token : null);
      const uid = user._id.toHexString();
      await admitSocket(socket, uid);
      const [joined] = await Promise.all([ctx.sessions.joinedIds(uid), ctx.presence.markOnline(socket.id, uid, ctx.nodeId)]);
      socket.data = { uid, nickname: user.nickname, tokenVersion: user.tokenVersion, onlineAt: Date.now() };
      joinedAtHandshake.set(socket, joined);
      next();
    } catch (err) {
      const code = (err as { code?: string }).code;
      next(new Error(typeof code === 'string' ? code : 'unavailable'));
    }
  });

  startPresenceSweeper(ctx, io);

  io.on('connection', (socket: ChatSocket) => {
    const { uid } = socket.data;
    ctx.metrics.connectedSockets.inc();
    socket.join([userRoom(uid), ...(joinedAtHandshake.get(socket) ?? []).map(sessionRoom)]);
    joinedAtHandshake.delete(socket);
    socket.emit('welcome', { uid, node: ctx.nodeId });

    // Handlers are attached before any await so no early event is missed.
    socket.on('message:send', guarded((p) => sendMessage(socket, p), logError));
    socket.on('presence:set', guarded((p) => setPresence(socket, p), logError));
    socket.on('sync', guarded((p) => sync(socket, p), logError));
    socket.on('typing', guarded((p) => typing(socket, p), logError));
    ctx.calls?.attach(socket);
    ctx.live?.attach(socket);

    ctx.users
      .get(uid)
      .then((user) => announcePresence(ctx, socket, user, true))
      .catch(() => undefined);

    let refreshing = false;
    socket.conn.on('heartbeat', () => {
      if (refreshing || Date.now() - socket.data.onlineAt < onlineTtlMs / 4) return;
      refreshing = true;
      ctx.presence
        .refresh(socket.id)
        .then(async (found) => {
          if (found) return;
          // The record was swept (a long stall) or expired: write it again and show the user online again.
          await ctx.presence.markOnline(socket.id, uid, ctx.nodeId);
          announcePresence(ctx, socket, await ctx.users.get(uid), true);
        })
        .then(() => {
          socket.data.onlineAt = Date.now();
        })
        .catch((err) => ctx.logger.warn({ err, uid }, 'online record refresh failed'))
        .finally(() => {
          refreshing = false;
        });
    });

    socket.on('disconnect', () => {
      ctx.metrics.connectedSockets.dec();
      void (async () => {
        await ctx.presence.markOffline(socket.id);
        if (await ctx.presence.isOnline(uid)) return;
        await announceOffline(ctx, io, uid);
      })().catch((err) => ctx.logger.warn({ err, uid }, 'presence cleanup failed'));
    });
  });
}

/**
 * Online records of sockets whose process died (a node killed outright never runs its disconnect
 * handlers) stop being refreshed: every process sweeps records older than two thirds of ONLINE_TTL
 * (a live socket refreshes its record every ping, at most a third of the TTL) and announces their
 * users offline where no other record keeps them online.
 */
function startPresenceSweeper(ctx: AppContext, io: ChatServer): void {
  const ttlMs = ctx.config.onlineTtl * 1000;
  const staleMs = Math.max(1000, Math.round((ttlMs * 2) / 3));
  let running = false;
  const sweep = async () => {
    for (const uid of await ctx.presence.sweepStale(staleMs)) {
      if (await ctx.presence.isOnline(uid)) continue;
      await announceOffline(ctx, io, uid);
    }
  };
  const timer = setInterval(
    () => {
      if (running) return;
      running = true;
      sweep()
        .catch((err) => ctx.logger.debug({ err }, 'presence sweep failed'))
        .finally(() => {
          running = false;
        });
    },
    Math.max(500, Math.round(ttlMs / 4 + Math.random() * (ttlMs / 8))),
  );
  timer.unref();
}
