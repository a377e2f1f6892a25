import type { Server } from 'socket.io';
import type { ServerSideEvents } from '../cluster/ServerSideEvents';
import type { ClientToServerEvents, ServerToClientEvents } from '../protocol/events';
import type { MessageUpdate, MessageView, SessionView } from '../protocol/models';
import type { FriendUpdateEvent } from '../protocol/people';
import type { SocketData } from './SocketData';

export type ChatServer = Server<ClientToServerEvents, ServerToClientEvents, ServerSideEvents, SocketData>;

const SESSION_ROOM = 'session:';
export const sessionRoom = (sessionid: string): string => `${SESSION_ROOM}${sessionid}`;
/** The session a room is for, or null for other rooms (a user's own). */
export const sessionOfRoom = (room: string): string | null => (room.startsWith(SESSION_ROOM) ? room.slice(SESSION_ROOM.length) : null);
export const userRoom = (uid: string): string => `user:${uid}`;

/**
 * Everything pushed to clients goes through here; rooms are joined and left on every socket of a
 * user, on any process, through the adapter (so membership in a room mirrors membership in the database).
 */
export class Fanout {
  constructor(private readonly io: ChatServer) {}

  message(message: MessageView): void {
    this.io.to(sessionRoom(message.sessionid)).emit('message', message);
  }

  /** A change in a conversation (S24), to its members. */
  messageUpdate(update: MessageUpdate): void {
    this.io.to(sessionRoom(update.sessionid)).emit('message:update', update);
  }

  sessionUpdated(session: SessionView): void {
    this.io.to(sessionRoom(session.sessionid)).emit('session:update', { session });
  }

  /** The user's sockets join the session room, then every member (the newcomer too) learns of the change. */
  memberAdded(uid: string, session: SessionView): void {
    this.io.in(userRoom(uid)).socketsJoin(sessionRoom(session.sessionid));
    this.io.to(sessionRoom(session.sessionid)).to(userRoom(uid)).emit('session:update', { session });
  }

  memberRemoved(uid: string, session: SessionView): void {
    this.io.in(userRoom(uid)).socketsLeave(sessionRoom(session.sessionid));
    this.io.to(userRoom(uid)).emit('session:removed', { sessionid: session.sessionid });
    this.sessionUpdated(session);
  }

  /** A friendship or request changed (S26): to every socket of the user, on any node. */
  friendsUpdated(uid: string, event: FriendUpdateEvent): void {
    this.io.to(userRoom(uid)).emit('friends:update', event);
  }

  /** Logout / password change: the user's open sockets lose their (now revoked) authentication. */
  disconnectUser(uid: string): void {
    this.io.in(userRoom(uid)).disconnectSockets(true);
  }
}
