import type { AppContext } from '../node/AppContext';
import { authenticate } from '../http/requireUser';
import { sessionRoom, userRoom, type ChatServer } from './Fanout';
import type { ChatSocket } from './ChatSocket';
import { attachOnFirstUse } from './sharedListeners';
import { attachListeners, tableListeners, type EventTable } from './eventTable';
import { messageHandler } from './handlers/messageHandler';
import { messageEditHandler } from './handlers/messageEditHandler';
import { messageDeleteHandler } from './handlers/messageDeleteHandler';
import { messageReactHandler } from './handlers/messageReactHandler';
import { messagePinHandler } from './handlers/messagePinHandler';
import { presenceHandler } from './handlers/presenceHandler';
import { announceOffline, announcePresence } from './presenceAnnouncements';
import { syncHandler } from './handlers/syncHandler';
import { typingHandler } from './handlers/typingHandler';
import { readHandler } from './handlers/readHandler';
import { guardEventSizes } from './eventSizeGuard';
import { socketsPerUserLimit } from './socketsPerUser';

/**
 * Handshake auth (PROTOCOL.md: a bad token is a connect_error whose message is the code), then on
 * connect: the socket joins its user's room and every session the user belongs to, its online
 * record is written, and the keepalive keeps it fresh (S17).
 */
/** The chat's client events (calls and live attach their own tables on first use). */
type ChatEvent = 'message:send' | 'message:edit' | 'message:delete' | 'message:react' | 'message:pin' | 'presence:set' | 'sync' | 'typing' | 'read:set';

export function registerSocketHandlers(ctx: AppContext, io: ChatServer): void {
  const onlineTtlMs = ctx.config.onlineTtl * 1000;
  const logError = (err: unknown) => ctx.logger.error({ err }, 'socket request failed');
  const admitSocket = socketsPerUserLimit(ctx, io);
  // Listeners shared by every socket (the socket is `this`): an idle connection holds no closures
  // of its own, only the entries in its listener table (docs: "Memory per idle connection").
  const chatEvents: EventTable<ChatEvent> = {
    'message:send': messageHandler(ctx),
    'message:edit': messageEditHandler(ctx),
    'message:delete': messageDeleteHandler(ctx),
    'message:react': messageReactHandler(ctx),
    'message:pin': messagePinHandler(ctx),
    'presence:set': presenceHandler(ctx),
    sync: syncHandler(ctx),
    typing: typingHandler(ctx),
    'read:set': readHandler(ctx),
  };
  const chatListeners = tableListeners(chatEvents, logError);
  const attachFeatures = attachOnFirstUse([
    ...(ctx.calls ? [{ prefix: 'call:', attach: (socket: ChatSocket) => ctx.calls!.attach(socket) }] : []),
    ...(ctx.live ? [{ prefix: 'live:', attach: (socket: ChatSocket) => ctx.live!.attach(socket) }] : []),
  ]);
  const joinedAtHandshake = new WeakMap<ChatSocket, string[]>();
  const chatSocketOf = new WeakMap<object, ChatSocket>();

  io.use(guardEventSizes);
  io.use(async (socket: ChatSocket, next) => {
    try {
      const token = (socket.handshake.auth as { token?: unknown })?.token;
      const user = await authenticate(ctx, typeof token === 'string' ? token : null);
      const uid = user._id.toHexString();
      await admitSocket(socket, uid);
      const [joined] = await Promise.all([ctx.sessionService.joinedIds(uid), ctx.presence.markOnline(socket.id, uid, ctx.nodeId)]);
      socket.data = { uid, nickname: user.nickname, tokenVersion: user.tokenVersion, onlineAt: Date.now() };
      joinedAtHandshake.set(socket, joined);
      next();
    } catch (err) {
      const code = (err as { code?: string }).code;
      next(new Error(typeof code === 'string' ? code : 'unavailable'));
    }
  });

  startPresenceSweeper(ctx, io);

  /** The keepalive refreshes the online record (S17); `this` is the socket's engine.io connection. */
  function onHeartbeat(this: object): void {
    const socket = chatSocketOf.get(this);
    if (!socket || socket.data.refreshing || Date.now() - socket.data.onlineAt < onlineTtlMs / 4) return;
    const { uid } = socket.data;
    socket.data.refreshing = true;
    ctx.presence
      .refresh(socket.id)
      .then(async (found) => {
        if (found) return;
        // The record was swept (a long stall) or expired: write it again and show the user online again.
        await ctx.presence.markOnline(socket.id, uid, ctx.nodeId);
        announcePresence(socket, await ctx.users.get(uid), true);
      })
      .then(() => {
        socket.data.onlineAt = Date.now();
      })
      .catch((err) => ctx.logger.warn({ err, uid }, 'online record refresh failed'))
      .finally(() => {
        socket.data.refreshing = false;
      });
  }

  function onDisconnect(this: ChatSocket): void {
    const { uid } = this.data;
    const socketId = this.id;
    ctx.metrics.connectedSockets.dec();
    void (async () => {
      await ctx.presence.markOffline(socketId);
      if (await ctx.presence.isOnline(uid)) return;
      await announceOffline(ctx, io, uid);
    })().catch((err) => ctx.logger.warn({ err, uid }, 'presence cleanup failed'));
  }

  io.on('connection', (socket: ChatSocket) => {
    const { uid } = socket.data;
    ctx.metrics.connectedSockets.inc();
    socket.join([userRoom(uid), ...(joinedAtHandshake.get(socket) ?? []).map(sessionRoom)]);
    joinedAtHandshake.delete(socket);
    // The handshake's HTTP request (its headers stay in socket.handshake) is not needed once connected;
    // engine.io would keep it, with its raw headers and stream state, for the connection's life.
    (socket.conn as { request: unknown }).request = null;
    socket.emit('welcome', { uid, node: ctx.nodeId });

    // Handlers are attached before any await so no early event is missed.
    attachListeners(socket, chatListeners);
    socket.onAny(attachFeatures);

    ctx.users
      .get(uid)
      .then((user) => announcePresence(socket, user, true))
      .catch(() => undefined);

    chatSocketOf.set(socket.conn, socket);
    socket.conn.on('heartbeat', onHeartbeat);
    socket.on('disconnect', onDisconnect);
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
