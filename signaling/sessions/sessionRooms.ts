import type { ChatSocket } from '../socket/ChatSocket';
import { sessionOfRoom, sessionRoom } from '../socket/Fanout';
import { NotMemberError } from './sessionErrors';

/**
 * Writing into a conversation over a socket (messages, typing, presence there): the socket's
 * `session:<id>` rooms mirror the stored membership (joined at the handshake, then on every join,
 * invite and leave through the SessionService), so they answer without a database read.
 */
export function mustBeInSessionRoom(socket: ChatSocket, sessionid: string): void {
  if (!socket.rooms.has(sessionRoom(sessionid))) throw new NotMemberError();
}

/** The conversations a socket may write into now: its session rooms. */
export function joinedSessions(socket: ChatSocket): string[] {
  const sessions: string[] = [];
  for (const room of socket.rooms) {
    const sessionid = sessionOfRoom(room);
    if (sessionid) sessions.push(sessionid);
  }
  return sessions;
}
