import type { UserDoc } from '../../storage/documents';
import type { AppContext } from '../node/AppContext';
import { visiblePresence } from '../views';
import { joinedSessions } from '../sessions/sessionRooms';
import type { ChatSocket } from './ChatSocket';
import { sessionRoom, userRoom, type ChatServer } from './Fanout';

/**
 * Tells each of the user's sessions how the user now appears there (S10). Where the user appears
 * offline (invisible) nothing is sent, unless they appeared otherwise just before (`previous`): an
 * invisible user's connects, reconnects and repeated choices must look exactly like an offline
 * user, about whom nothing is ever sent.
 */
export function announcePresence(socket: ChatSocket, user: UserDoc, online: boolean, only?: string, previous?: UserDoc): void {
  const uid = user._id.toHexString();
  for (const sessionid of only ? [only] : joinedSessions(socket)) {
    const status = visiblePresence(user, online, sessionid);
    if (status === 'offline' && (!previous || visiblePresence(previous, true, sessionid) === 'offline')) continue;
    socket.nsp.to(sessionRoom(sessionid)).emit('presence', { uid, status, sessionid });
  }
  // S26: friends hear the user's own status (no sessionid), with a conversation in common or not.
  const friends = (user.friends ?? []).map(userRoom);
  if (only || friends.length === 0) return;
  const status = visiblePresence(user, online);
  if (status === 'offline' && (!previous || visiblePresence(previous, true) === 'offline')) return;
  socket.nsp.to(friends).emit('presence', { uid, status });
}

/**
 * The user's last socket is gone: the sessions where they appeared online hear they are offline.
 * Where they were invisible they already appeared offline, so nothing is sent there.
 */
export async function announceOffline({ users, sessionService }: Pick<AppContext, 'users' | 'sessionService'>, io: ChatServer, uid: string): Promise<void> {
  const [user, joined] = await Promise.all([users.get(uid), sessionService.joinedIds(uid)]);
  for (const sessionid of joined) {
    if (visiblePresence(user, true, sessionid) === 'offline') continue;
    io.to(sessionRoom(sessionid)).emit('presence', { uid, status: 'offline', sessionid });
  }
  const friends = (user.friends ?? []).map(userRoom);
  if (friends.length > 0 && visiblePresence(user, true) !== 'offline') io.to(friends).emit('presence', { uid, status: 'offline' });
}
