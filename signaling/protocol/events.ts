/**
 * The typed Socket.IO event maps shared by the server and the web client
 * (socket.io's `Server<ClientToServerEvents, ServerToClientEvents>` / `Socket<...>`).
 */
import type { Ack } from './ack';
import type { MessageUpdate, MessageView, SessionView, VisiblePresence } from './models';
import type { CallClientEvents, CallServerEvents } from './calls';
import type { LiveClientEvents, LiveServerEvents } from './live';
import type { ReadEvent, ReadSetPayload, ReadSetResult } from './attention';
import type { FriendUpdateEvent } from './people';
import type {
  MessageDeletePayload,
  MessageEditPayload,
  MessagePinPayload,
  MessageReactPayload,
  MessageSendPayload,
  PresenceSetPayload,
  SyncPayload,
  TypingPayload,
} from './schemas';

export type { Ack } from './ack';

export interface MessageSendResult {
  msgid: string;
  seq: number;
  time: number;
  /** True when this uuid was already stored: the earlier message's ids are returned. */
  duplicate?: boolean;
}

/** Ack of message:edit, :delete, :react and :pin: the seq the change took (S24). */
export interface MessageChangeResult {
  msgid: string;
  seq: number;
}

/**
 * `messages` created after each cursor, in their current state, and `updates` (change events)
 * after it, each ordered by seq: together every seq after the cursor up to where the answer stops.
 */
export interface SyncResult {
  messages: MessageView[];
  updates: MessageUpdate[];
  /** True when the answer was capped: call `sync` again with the advanced cursors. */
  more: boolean;
}

export interface PresenceEvent {
  uid: string;
  status: VisiblePresence;
  sessionid?: string;
}

export interface TypingEvent {
  sessionid: string;
  uid: string;
}

export interface ClientToServerEvents extends CallClientEvents, LiveClientEvents {
  'message:send': (payload: MessageSendPayload, ack: Ack<MessageSendResult>) => void;
  'presence:set': (payload: PresenceSetPayload, ack: Ack<{ ok: true }>) => void;
  sync: (payload: SyncPayload, ack: Ack<SyncResult>) => void;
  'message:edit': (payload: MessageEditPayload, ack: Ack<MessageChangeResult>) => void;
  'message:delete': (payload: MessageDeletePayload, ack: Ack<MessageChangeResult>) => void;
  'message:react': (payload: MessageReactPayload, ack: Ack<MessageChangeResult>) => void;
  'message:pin': (payload: MessagePinPayload, ack: Ack<MessageChangeResult>) => void;
  typing: (payload: TypingPayload, ack?: Ack<{ ok: true }>) => void;
  // ---- attention (issue 13): read state ----
  'read:set': (payload: ReadSetPayload, ack: Ack<ReadSetResult>) => void;
}

export interface ServerToClientEvents extends CallServerEvents, LiveServerEvents {
  /** Sent once on connect: who the server thinks you are and which node process serves you. */
  welcome: (event: { uid: string; node: string }) => void;
  message: (message: MessageView) => void;
  /** A change in a conversation (S24): an edit, delete, reaction, pin, link preview or membership event. */
  'message:update': (update: MessageUpdate) => void;
  presence: (event: PresenceEvent) => void;
  typing: (event: TypingEvent) => void;
  'session:update': (event: { session: SessionView }) => void;
  /** The user left or was removed: the client drops the conversation. */
  'session:removed': (event: { sessionid: string }) => void;
  // ---- attention (issue 13): read receipts, and one's own read position from another device ----
  read: (event: ReadEvent) => void;
  // ---- people (S26) ----
  /** A friendship or request changed; sent to both users (`uid` the other one, `state` from the receiver's side). */
  'friends:update': (event: FriendUpdateEvent) => void;
}

/** Handshake auth: `io(url, { auth: { token } })`. */
export interface HandshakeAuth {
  token: string;
}
