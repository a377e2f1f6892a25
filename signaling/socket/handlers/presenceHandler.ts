import type { AppContext } from '../../node/AppContext';
import { ErrorCode } from '../../protocol/errors';
import { PresenceSetPayload } from '../../protocol/schemas';
import type { UserDoc } from '../../../storage/documents';
import { ApiError } from '../../http/ApiError';
import { visiblePresence } from '../../views';
import { parsePayload } from '../ackError';
import { sessionRoom } from '../Fanout';
import type { ChatSocket } from '../ChatSocket';

/** Tells each of the user's sessions how the user now appears there (S10). */
export function announcePresence(ctx: AppContext, socket: ChatSocket, user: UserDoc, online: boolean, only?: string): void {
  const uid = user._id.toHexString();
  const rooms = only ? [sessionRoom(only)] : [...socket.rooms].filter((r) => r.startsWith('session:'));
  for (const room of rooms) {
    const sessionid = room.slice('session:'.length);
    socket.nsp.to(room).emit('presence', { uid, status: visiblePresence(user, online, sessionid), sessionid });
  }
}

/** presence:set: online / away / busy / invisible, everywhere or for one conversation. */
export function presenceHandler(ctx: AppContext) {
  return async (socket: ChatSocket, raw: unknown): Promise<{ ok: true }> => {
    const { status, sessionid } = parsePayload(PresenceSetPayload, raw);
    if (sessionid && !socket.rooms.has(sessionRoom(sessionid))) {
      throw new ApiError(403, ErrorCode.NotMember, 'you are not a member of this session');
    }
    const user = await ctx.users.setPresence(socket.data.uid, status, sessionid);
    announcePresence(ctx, socket, user, true, sessionid);
    return { ok: true };
  };
}
