import type { AppContext } from '../node/AppContext';
import { ErrorCode } from '../protocol/errors';
import { LimitError } from '../errors/DomainError';
import type { ChatSocket } from './ChatSocket';
import { userRoom, type ChatServer } from './Fanout';

/**
 * MAX_SOCKETS_PER_USER: a handshake is refused (`too_many_connections`) while the user already has
 * that many sockets. Connected sockets are counted in the user's room on every process and node
 * (the adapter's fetchSockets), plus this process's sockets still in their handshake, so a burst
 * on one process cannot slip past; a burst spread over several processes at the same instant may
 * exceed the limit by the handshakes in flight elsewhere. When the count cannot be had (a node
 * not answering), the socket is let in rather than locking the user out.
 */
export function socketsPerUserLimit({ config, logger }: Pick<AppContext, 'config' | 'logger'>, io: ChatServer): (socket: ChatSocket, uid: string) => Promise<void> {
  const max = config.maxSocketsPerUser;
  /** This process's admitted sockets per user, from admission until their connection closes. */
  const admitted = new Map<string, Set<string>>();

  return async (socket, uid) => {
    const connected = await io
      .in(userRoom(uid))
      .fetchSockets()
      .catch((err: unknown) => {
        logger.warn({ err, uid }, 'counting the sockets of a user failed; letting the socket in');
        return [];
      });
    const local = admitted.get(uid) ?? new Set<string>();
    const ids = new Set([...connected.map((s) => s.id), ...local]);
    if (ids.size >= max) {
      throw new LimitError(`at most ${max} simultaneous connections per user`, ErrorCode.TooManyConnections);
    }
    local.add(socket.id);
    admitted.set(uid, local);
    const release = () => {
      local.delete(socket.id);
      if (local.size === 0 && admitted.get(uid) === local) admitted.delete(uid);
    };
    socket.once('disconnect', release);
    socket.conn.once('close', release);
  };
}
