/**
 * The chat of the signed-in user: starts and stops it (socket, stores, offline copies), and is the
 * one face the views use. The state lives in stores of one idea each (sessions, users, messages,
 * history, presence, typing, readMarkers, sessionTokens, outbox); `chat.state` reads through to them.
 */
import type { SessionView } from '@protocol';
import { chatCache } from '@/lib/chatCache';
import type { SendExtras } from '@/lib/outgoing';
import { auth } from './auth';
import { blocks } from './blocks';
import { composerMode } from './composerMode';
import { onChatConnected, wireChatEvents } from './chatSocket';
import { connection } from './connection';
import { friends } from './friends';
import { history } from './history';
import { showDelivered } from './incoming';
import { messages } from './messages';
import { moderation } from './moderation';
import { outbox } from './outbox';
import { presence } from './presence';
import { readMarkers } from './readMarkers';
import { search } from './search';
import { sessions } from './sessions';
import { sessionTokens } from './sessionTokens';
import { typing } from './typing';
import { users } from './users';

export type { OutgoingAttachment, OutgoingMessage } from './outbox';
export type { SessionFilter } from './sessions';
export type { KnownUser } from './users';

let unsubscribe: (() => void) | null = null;
/** Whose cache to clear when the chat stops because they signed out. */
let cacheOwner = '';

/** Read-only view over the stores' state, under the names the views know. */
const state = {
  get sessions() {
    return sessions.state.sessions;
  },
  get sessionsLoaded() {
    return sessions.state.sessionsLoaded;
  },
  get sessionsError() {
    return sessions.state.sessionsError;
  },
  get members() {
    return sessions.state.members;
  },
  get messages() {
    return messages.state.messages;
  },
  get history() {
    return history.state.history;
  },
  get users() {
    return users.state.users;
  },
  get typing() {
    return typing.state.typing;
  },
  get myStatus() {
    return presence.state.myStatus;
  },
  get mySessionStatus() {
    return presence.state.mySessionStatus;
  },
};

function reset(): void {
  sessions.reset();
  messages.reset();
  history.reset();
  outbox.unload();
  users.reset();
  presence.reset();
  typing.reset();
  readMarkers.reset();
  search.reset();
  sessionTokens.clear();
  friends.reset();
  blocks.reset();
  moderation.reset();
  composerMode.reset();
}

/** Read up to `seq`, by default the conversation's newest message. */
function markRead(sessionid: string, seq?: number): void {
  readMarkers.markRead(sessionid, seq ?? sessions.state.sessions[sessionid]?.lastSeq ?? 0);
}

export const chat = {
  state,

  start(): void {
    const token = auth.state.token;
    if (!token || connection.socket) return;
    reset();
    cacheOwner = auth.uid.value;
    presence.load();
    unsubscribe?.();
    const offs = [
      connection.onConnect((socket) => void onChatConnected(socket)),
      auth.onTokenChanged((fresh) => {
        sessionTokens.clear();
        connection.replaceToken(fresh);
      }),
      outbox.onDelivered(showDelivered),
      // a conversation left or lost: what every store holds for it goes
      sessions.onDropped((sessionid) => {
        messages.forget(sessionid);
        history.forget(sessionid);
        outbox.forget(sessionid);
        typing.forget(sessionid);
        sessionTokens.forget(sessionid);
      }),
    ];
    unsubscribe = () => offs.forEach((off) => off());
    wireChatEvents(connection.open(token));
    void outbox.load(auth.uid.value);
    sessions.loadAll().catch(() => undefined);
    auth.refreshMe().catch(() => undefined);
    typing.startSweeping();
  },

  stop(): void {
    unsubscribe?.();
    unsubscribe = null;
    connection.close();
    reset();
    // signed out: what was kept for offline use goes too
    if (!auth.isSignedIn.value && cacheOwner) void chatCache.clear(cacheOwner);
    cacheOwner = '';
  },

  loadSessions: sessions.loadAll,
  fetchSession: sessions.fetchOne,
  loadLatest: history.loadLatest,
  loadOlder: history.loadOlder,
  markRead,
  unreadOf: readMarkers.unreadOf,
  mentionsOf: readMarkers.mentionsOf,
  titleOf: sessions.titleOf,
  otherParty: sessions.otherParty,
  activityOf: sessions.activityOf,
  sessionsFor: sessions.sessionsFor,
  listPublic: sessions.listPublic,
  createGroup: sessions.createGroup,
  createPrivate: sessions.createPrivate,
  updateSession: sessions.update,
  invite: sessions.invite,
  leave: sessions.leave,

  async join(sessionid: string): Promise<SessionView> {
    const session = await sessions.join(sessionid);
    // what was said before joining is not unread
    markRead(sessionid, session.lastSeq);
    return session;
  },

  send(sessionid: string, text: string, extras: SendExtras = {}): void {
    typing.sent(sessionid);
    outbox.send(sessionid, text, extras);
  },
  sendFiles: outbox.sendFiles,
  sendVoice: outbox.sendVoice,
  retry: outbox.retry,
  discard: outbox.discard,
  cancel: outbox.cancel,

  avatarOf: users.avatarOf,
  rememberUser: users.remember,
  searchUsers: users.search,
  notifyTyping: typing.notify,
  typingIn: typing.namesIn,
  presenceOf: presence.of,
  setStatus: presence.set,
};
