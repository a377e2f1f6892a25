import { joinedSessions } from '../sessions/sessionRooms';
import type { ChatSocket } from './ChatSocket';
import type { Requester } from './requesterTypes';

export type { Requester } from './requesterTypes';

export function requesterOf(socket: ChatSocket): Requester {
  return { uid: socket.data.uid, nickname: socket.data.nickname, socketId: socket.id, sessions: joinedSessions(socket) };
}
