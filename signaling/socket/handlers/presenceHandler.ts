import type { AppContext } from '../../node/AppContext';
import { ErrorCode } from '../../protocol/errors';
import { PresenceSetPayload } from '../../protocol/schemas';
import type { UserDoc } from '../../../storage/documents';
import { DeniedError, LimitError } from '../../errors/DomainError';
import { RateLimiter } from '../../util/RateLimiter';
import { visiblePresence } from '../../views';
import type { EventHandler } from '../eventTable';
import { sessionRoom, type ChatServer } from '../Fanout';
import type { ChatSocket } from '../ChatSocket';

/**
 * Tells each of the user's sessions how the user now appears there (S10). Where the user appears
 * offline (invisible) nothing is sent, unless they appeared otherwise just before (`previous`): an
 * invisible user's connects, reconnects and repeated choices must look exactly like an offline
 * user, about whom nothing is ever sent.
 */
export function announcePresence(
  ctx: AppContext,
  socket: ChatSocket,
  user: UserDoc,
  online: boolean,
  only?: string,
  previous?: UserDoc,
): void {
  const uid = user._id.toHexString();
  const rooms = only ? [sessionRoom(only)] : [...socket.rooms].filter((r) => r.startsWith('session:'));
  for (const room of rooms) {
    const sessionid = room.slice('session:'.length);
    const status = visiblePresence(user, online, sessionid);
    if (status === 'offline' && (!previous || visiblePresence(previous, true, sessionid) === 'offline')) continue;
    socket.nsp.to(room).emit('presence', { uid, status, sessionid });
  }
}

/**
 * The user's last socket is gone: the sessions where they appeared online hear they are offline.
 * Where they were invisible they already appeared offline, so nothing is sent there.
 */
export async function announceOffline(ctx: AppContext, io: ChatServer, uid: string): Promise<void> {
  const [user, joined] = await Promise.all([ctx.users.get(uid), ctx.sessions.joinedIds(uid)]);
  for (const sessionid of joined) {
    if (visiblePresence(user, true, sessionid) === 'offline') continue;
    io.to(sessionRoom(sessionid)).emit('presence', { uid, status: 'offline', sessionid });
  }
}

/**
 * presence:set: online / away / busy / invisible, everywhere or for one conversation. At most
 * PRESENCE_RATE a second per user (per process); beyond it `rate_limited`, nothing stored or sent.
 */
export function presenceHandler(ctx: AppContext): EventHandler<'presence:set'> {
  const limiter = new RateLimiter(ctx.config.presenceRate, ctx.config.presenceRate * 5);
  return {
    schema: PresenceSetPayload,
    async handle(socket, { status, sessionid }) {
      if (sessionid && !socket.rooms.has(sessionRoom(sessionid))) {
        throw new DeniedError(ErrorCode.NotMember, 'you are not a member of this session');
      }
      if (!limiter.take(socket.data.uid)) throw new LimitError('too many status changes; slow down');
      const { before, after } = await ctx.users.setPresence(socket.data.uid, status, sessionid);
      announcePresence(ctx, socket, after, true, sessionid, before);
      return { ok: true };
    },
  };
}
