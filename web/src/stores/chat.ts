/**
 * Conversations, messages, presence and typing state of the signed-in user, fed by REST calls and
 * live socket events. Messages are kept per session, sorted by seq and deduplicated by seq/msgid,
 * so replays from `sync` or a reconnect never show a message twice.
 */
import { reactive } from 'vue';
import {
  Limits,
  SessionType,
  isErrorBody,
  type CreateGroupBody,
  type MemberView,
  type MessageSendResult,
  type MessageView,
  type PresenceStatus,
  type SessionView,
  type UpdateSessionBody,
  type UserView,
  type VisiblePresence,
} from '@protocol';
import { api } from '@/lib/api';
import { isUnanswered } from '@/lib/requestError';
import { socketRequest } from '@/lib/socketRequest';
import { chatCache } from '@/lib/chatCache';
import { jwtExpiry } from '@/lib/jwt';
import { readJson, writeJson } from '@/lib/storage';
import { auth } from './auth';
import { connection, type ChatSocket } from './connection';
import { outbox, type OutgoingMessage } from './outbox';

export type { OutgoingAttachment, OutgoingMessage } from './outbox';

export type SessionFilter = 'all' | 'private' | 'group';

export interface KnownUser {
  nickname: string;
  /** A URL usable in <img>; undefined when the user has none or it is not known yet. */
  avatar?: string;
}

interface HistoryState {
  /** The newest page has been fetched. */
  loaded: boolean;
  loading: boolean;
  hasMore: boolean;
  error?: string;
}

interface PresenceEntry {
  status: VisiblePresence;
  /** Arrival order: the newest of a user's global and per-conversation entries wins. */
  order: number;
}

const SEND_TIMEOUT_MS = 15_000;
const TYPING_SHOW_MS = 6_000;
const TYPING_SEND_EVERY_MS = 3_000;
const TOKEN_RENEW_MARGIN_MS = 60_000;

const state = reactive({
  sessions: {} as Record<string, SessionView>,
  sessionsLoaded: false,
  sessionsError: '',
  messages: {} as Record<string, MessageView[]>,
  history: {} as Record<string, HistoryState>,
  readSeq: {} as Record<string, number>,
  members: {} as Record<string, MemberView[]>,
  users: {} as Record<string, KnownUser>,
  presence: {} as Record<string, PresenceEntry>,
  sessionPresence: {} as Record<string, Record<string, PresenceEntry>>,
  typing: {} as Record<string, Record<string, number>>,
  myStatus: 'online' as PresenceStatus,
  mySessionStatus: {} as Record<string, PresenceStatus>,
});

let presenceOrder = 0;
const sessionTokens = new Map<string, { token: string; expiresAt: number }>();
const lastTypingSent = new Map<string, number>();
const userLookups = new Set<string>();
/** Messages built locally from a send acknowledgement: the pushed copy (server's fileinfo) replaces them. */
const provisional = new Set<string>();
let typingSweep: ReturnType<typeof setInterval> | undefined;
let sessionsRequest: Promise<void> | null = null;
let unsubscribeConnect: (() => void) | null = null;
/** Whose cache to clear when the chat stops because they signed out. */
let cacheOwner = '';

const readKey = () => `cookim.read.${auth.uid.value}`;
const statusKey = () => `cookim.status.${auth.uid.value}`;

/** No network (not a refusal): the local copy may stand in. */
const isNetworkError = isUnanswered;

/** The newest messages as the server has them (not those built from an acknowledgement). */
function saveHistory(sessionid: string): void {
  chatCache.saveHistory(auth.uid.value, sessionid, () => (state.messages[sessionid] ?? []).filter((m) => !provisional.has(m.msgid)));
}

function saveRead(): void {
  writeJson(readKey(), state.readSeq);
}

// ---------- sessions ----------

function activityOf(session: SessionView): number {
  return Math.max(session.lastActivity ?? 0, session.lastMessage?.time ?? 0, session.dateline);
}

function upsertSession(incoming: SessionView): SessionView {
  const known = state.sessions[incoming.sessionid];
  const merged: SessionView = { ...known, ...incoming };
  // updates may come without the preview or with an older counter than a message we already saw
  if (known) {
    merged.lastSeq = Math.max(known.lastSeq, incoming.lastSeq ?? 0);
    const preview = [known.lastMessage, incoming.lastMessage].filter((m): m is MessageView => !!m);
    merged.lastMessage = preview.sort((a, b) => b.seq - a.seq)[0];
    merged.lastActivity = Math.max(activityOf(known), incoming.lastActivity ?? 0);
  }
  state.sessions[incoming.sessionid] = merged;
  rememberUser(merged.lastMessage?.senduid, merged.lastMessage?.nickname);
  return merged;
}

function dropSession(sessionid: string): void {
  delete state.sessions[sessionid];
  delete state.messages[sessionid];
  delete state.history[sessionid];
  outbox.forget(sessionid);
  delete state.members[sessionid];
  delete state.typing[sessionid];
  sessionTokens.delete(sessionid);
}

async function loadSessions(): Promise<void> {
  sessionsRequest ??= (async () => {
    try {
      const { sessions } = await api<{ sessions: SessionView[] }>('/sessions', { query: { type: 'all' } });
      const seen = new Set<string>();
      for (const session of sessions) {
        upsertSession(session);
        seen.add(session.sessionid);
      }
      for (const id of Object.keys(state.sessions)) if (!seen.has(id)) dropSession(id);
      state.sessionsLoaded = true;
      state.sessionsError = '';
      chatCache.saveSessions(auth.uid.value, sessions, state.users);
    } catch (error) {
      const cached = isNetworkError(error) ? await chatCache.sessions(auth.uid.value) : undefined;
      if (cached) {
        // offline: the last known list until the connection returns (onConnected loads it again)
        for (const [uid, user] of Object.entries(cached.users)) rememberUser(uid, user.nickname, user.avatar ?? null);
        for (const session of cached.sessions) if (!state.sessions[session.sessionid]) upsertSession(session);
        state.sessionsError = '';
        return;
      }
      state.sessionsError = error instanceof Error ? error.message : String(error);
      throw error;
    } finally {
      sessionsRequest = null;
    }
  })();
  return sessionsRequest;
}

async function fetchSession(sessionid: string): Promise<SessionView> {
  let found: { session: SessionView; members: MemberView[] };
  try {
    found = await api<{ session: SessionView; members: MemberView[] }>(`/sessions/${sessionid}`);
    chatCache.saveSession(auth.uid.value, found.session, found.members);
  } catch (error) {
    const cached = isNetworkError(error) ? await chatCache.session(auth.uid.value, sessionid) : undefined;
    if (!cached) throw error;
    // offline: nobody's presence is known
    found = { session: cached.session, members: cached.members.map((m) => ({ ...m, presence: 'offline' })) };
  }
  const { session, members } = found;
  upsertSession(session);
  setMembers(sessionid, members);
  return state.sessions[sessionid]!;
}

function setMembers(sessionid: string, members: MemberView[]): void {
  state.members[sessionid] = members;
  const entries = (state.sessionPresence[sessionid] ??= {});
  for (const member of members) {
    rememberUser(member.uid, member.nickname, member.avatar ?? null);
    entries[member.uid] = { status: member.presence, order: ++presenceOrder };
  }
}

// ---------- users ----------

/** `avatar`: a URL, null for "has none", undefined for "not said here" (keeps what is known). */
function rememberUser(uid: string | undefined, nickname: string | undefined, avatar?: string | null): void {
  if (!uid || !nickname) return;
  const known = state.users[uid];
  const nextAvatar = avatar === undefined ? known?.avatar : (avatar ?? undefined);
  if (known?.nickname === nickname && known.avatar === nextAvatar) return;
  state.users[uid] = nextAvatar ? { nickname, avatar: nextAvatar } : { nickname };
}

/** The avatar URL of a user, when known (your own from your profile). */
function avatarOf(uid: string | undefined): string | undefined {
  if (!uid) return undefined;
  if (uid === auth.uid.value) return auth.state.user?.avatar;
  return state.users[uid]?.avatar;
}

function lookupUser(uid: string): void {
  if (state.users[uid] || userLookups.has(uid)) return;
  userLookups.add(uid);
  api<{ user: UserView }>(`/users/${uid}`)
    .then(({ user }) => {
      rememberUser(user.uid, user.nickname, user.avatar ?? null);
      chatCache.saveUsers(auth.uid.value, state.users);
    })
    .catch(() => userLookups.delete(uid));
}

function otherParty(session: SessionView): string | undefined {
  const me = auth.uid.value;
  return session.uids.find((uid) => uid !== me) ?? (session.senduid !== me ? session.senduid : session.recvuid);
}

/** The title to show: the group name, or for a private chat the other person's nickname. */
function titleOf(session: SessionView): string {
  if (session.sessiontype !== SessionType.Private) return session.name || 'Group';
  const other = otherParty(session);
  if (other) {
    const known = state.users[other];
    if (known) return known.nickname;
    lookupUser(other);
  }
  return session.name || 'Private chat';
}

// ---------- messages ----------

function insertMessage(list: MessageView[], message: MessageView): boolean {
  // messages arrive mostly in order: search from the end
  let i = list.length - 1;
  while (i >= 0 && list[i]!.seq > message.seq) i--;
  if (i >= 0 && (list[i]!.seq === message.seq || list[i]!.msgid === message.msgid)) return false;
  if (list.some((m) => m.msgid === message.msgid)) return false;
  list.splice(i + 1, 0, message);
  return true;
}

/** The server's copy of a message first shown from its acknowledgement takes its place. */
function replaceProvisional(list: MessageView[], message: MessageView): boolean {
  if (!provisional.has(message.msgid)) return false;
  const index = list.findIndex((m) => m.msgid === message.msgid);
  if (index < 0) return false;
  provisional.delete(message.msgid);
  list.splice(index, 1, message);
  return true;
}

function receive(message: MessageView): void {
  rememberUser(message.senduid, message.nickname);
  const session = state.sessions[message.sessionid];
  if (!session) {
    // a conversation we were just added to: fetch it, then its history shows on opening
    fetchSession(message.sessionid).catch(() => undefined);
  } else {
    session.lastSeq = Math.max(session.lastSeq, message.seq);
    if (!session.lastMessage || session.lastMessage.seq <= message.seq) session.lastMessage = message;
    session.lastActivity = Math.max(session.lastActivity ?? 0, message.time);
  }
  const list = (state.messages[message.sessionid] ??= []);
  if (!replaceProvisional(list, message)) insertMessage(list, message);
  if (state.history[message.sessionid]?.loaded) saveHistory(message.sessionid);

  if (message.senduid === auth.uid.value) {
    outbox.settled(message.sessionid, message.uuid);
    // your own message never counts as unread
    const read = state.readSeq[message.sessionid] ?? 0;
    if (read >= message.seq - 1) markRead(message.sessionid, message.seq);
  }
  const typing = state.typing[message.sessionid];
  if (typing) delete typing[message.senduid];
}

async function loadLatest(sessionid: string): Promise<void> {
  const history = (state.history[sessionid] ??= { loaded: false, loading: false, hasMore: true });
  if (history.loading) return;
  history.loading = true;
  history.error = undefined;
  try {
    const limit = Limits.historyPageDefault;
    const { messages } = await api<{ messages: MessageView[] }>(`/sessions/${sessionid}/messages`, {
      query: { limit },
    });
    const list = (state.messages[sessionid] ??= []);
    for (const message of messages) {
      rememberUser(message.senduid, message.nickname);
      insertMessage(list, message);
    }
    const oldest = list[0];
    history.hasMore = messages.length >= limit && !!oldest && oldest.seq > 1;
    history.loaded = true;
    const newest = messages[0];
    const session = state.sessions[sessionid];
    if (newest && session && newest.seq >= session.lastSeq) {
      session.lastSeq = newest.seq;
      session.lastMessage = newest;
    }
    saveHistory(sessionid);
  } catch (error) {
    const cached = isNetworkError(error) ? await chatCache.history(auth.uid.value, sessionid) : undefined;
    if (cached) {
      // offline: the last known messages; not `loaded`, so opening it online fetches again
      const list = (state.messages[sessionid] ??= []);
      for (const message of cached) insertMessage(list, message);
      history.hasMore = (list[0]?.seq ?? 1) > 1;
      return;
    }
    history.error = error instanceof Error ? error.message : String(error);
    throw error;
  } finally {
    history.loading = false;
  }
}

/** Fetches the page before the oldest loaded message; answers how many were added. */
async function loadOlder(sessionid: string): Promise<number> {
  const history = state.history[sessionid];
  const list = state.messages[sessionid];
  if (!history || !list || history.loading || !history.hasMore) return 0;
  const oldest = list[0];
  if (!oldest) return 0;
  history.loading = true;
  history.error = undefined;
  try {
    const limit = Limits.historyPageDefault;
    const { messages } = await api<{ messages: MessageView[] }>(`/sessions/${sessionid}/messages`, {
      query: { before: oldest.seq, limit },
    });
    let added = 0;
    for (const message of messages) {
      rememberUser(message.senduid, message.nickname);
      if (insertMessage(list, message)) added++;
    }
    const first = list[0];
    history.hasMore = messages.length >= limit && !!first && first.seq > 1;
    return added;
  } catch (error) {
    history.error = error instanceof Error ? error.message : String(error);
    return 0;
  } finally {
    history.loading = false;
  }
}

function markRead(sessionid: string, seq?: number): void {
  const target = seq ?? state.sessions[sessionid]?.lastSeq ?? 0;
  if ((state.readSeq[sessionid] ?? 0) >= target) return;
  state.readSeq[sessionid] = target;
  saveRead();
}

function unreadOf(session: SessionView): number {
  return Math.max(0, session.lastSeq - (state.readSeq[session.sessionid] ?? 0));
}

// ---------- sending ----------

async function sessionToken(sessionid: string): Promise<string> {
  const cached = sessionTokens.get(sessionid);
  if (cached && cached.expiresAt - Date.now() > TOKEN_RENEW_MARGIN_MS) return cached.token;
  const { sessionToken: token } = await api<{ sessionToken: string; session: SessionView }>(
    `/sessions/${sessionid}/token`,
    { method: 'POST' },
  );
  // without a readable exp, reuse the token for five minutes
  sessionTokens.set(sessionid, { token, expiresAt: jwtExpiry(token) ?? Date.now() + 5 * 60_000 });
  return token;
}

/** The acknowledgement of one of our messages, shown at once; the pushed copy replaces it. */
function delivered(item: OutgoingMessage, result: MessageSendResult): void {
  const file = item.attachment;
  const known = state.messages[item.sessionid]?.some((m) => m.msgid === result.msgid);
  // the pushed copy has the server's fileinfo and text (emoji shortcodes turned into emoji), and
  // may arrive after this acknowledgement
  if (!known) provisional.add(result.msgid);
  receive({
    msgid: result.msgid,
    seq: result.seq,
    time: result.time,
    sessionid: item.sessionid,
    senduid: auth.uid.value,
    nickname: auth.state.user?.nickname ?? '',
    msgtype: item.msgtype,
    msg: item.msg,
    size: file ? file.size : new TextEncoder().encode(item.msg).length,
    uuid: item.uuid,
    ...(file?.info ? { fileinfo: { ...file.info, filename: file.name } } : {}),
  });
}

outbox.configure({
  sessionToken(sessionid, fresh) {
    if (fresh) sessionTokens.delete(sessionid);
    return sessionToken(sessionid);
  },
  delivered,
});

function send(sessionid: string, text: string): void {
  lastTypingSent.delete(sessionid);
  outbox.send(sessionid, text);
}

// ---------- typing ----------

function notifyTyping(sessionid: string): void {
  const socket = connection.socket;
  if (!socket?.connected) return;
  const now = Date.now();
  // throttled: one event per few seconds while the user keeps typing
  if (now - (lastTypingSent.get(sessionid) ?? 0) < TYPING_SEND_EVERY_MS) return;
  lastTypingSent.set(sessionid, now);
  socket.emit('typing', { sessionid });
}

function typingIn(sessionid: string): string[] {
  const now = Date.now();
  return Object.entries(state.typing[sessionid] ?? {})
    .filter(([uid, until]) => until > now && uid !== auth.uid.value)
    .map(([uid]) => state.users[uid]?.nickname ?? 'Someone');
}

// ---------- presence ----------

function presenceOf(uid: string, sessionid?: string): VisiblePresence {
  if (uid === auth.uid.value) {
    const mine = (sessionid && state.mySessionStatus[sessionid]) || state.myStatus;
    return mine === 'invisible' ? 'offline' : connection.state.status === 'connected' ? mine : 'offline';
  }
  const global = state.presence[uid];
  const local = sessionid ? state.sessionPresence[sessionid]?.[uid] : undefined;
  const newest = [global, local].filter((e): e is PresenceEntry => !!e).sort((a, b) => b.order - a.order)[0];
  return newest?.status ?? 'offline';
}

function setStatus(status: PresenceStatus, sessionid?: string): Promise<void> {
  if (sessionid) state.mySessionStatus[sessionid] = status;
  else {
    state.myStatus = status;
    // "everywhere" replaces the per-conversation choices
    state.mySessionStatus = {};
  }
  writeJson(statusKey(), { global: state.myStatus, sessions: state.mySessionStatus });
  return emitPresence(status, sessionid);
}

function emitPresence(status: PresenceStatus, sessionid?: string): Promise<void> {
  const socket = connection.socket;
  if (!socket?.connected) return Promise.resolve();
  return socketRequest(socket, 'presence:set', sessionid ? { status, sessionid } : { status }, SEND_TIMEOUT_MS).then(() => undefined);
}

// ---------- socket wiring ----------

function cursors(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const session of Object.values(state.sessions)) {
    const list = state.messages[session.sessionid];
    // an open chat needs every message after its newest one; elsewhere the counter is enough
    out[session.sessionid] = list?.length ? list[list.length - 1]!.seq : session.lastSeq;
  }
  return out;
}

async function onConnected(socket: ChatSocket): Promise<void> {
  try {
    if (!state.sessionsLoaded) await loadSessions();
  } catch {
    /* the list shows its own error; sync still runs with what we know */
  }
  socket.timeout(SEND_TIMEOUT_MS).emit('sync', { cursors: cursors() }, (err, result) => {
    if (err || isErrorBody(result)) return;
    for (const message of [...result.messages].sort((a, b) => a.seq - b.seq)) receive(message);
    // conversations joined elsewhere while we were away
    loadSessions().catch(() => undefined);
  });
  // the server forgets a chosen status when the connection drops: say it again
  if (state.myStatus !== 'online') emitPresence(state.myStatus).catch(() => undefined);
  for (const [sessionid, status] of Object.entries(state.mySessionStatus)) {
    emitPresence(status, sessionid).catch(() => undefined);
  }
  // what was written while offline (or never acknowledged) goes out now, in order
  outbox.flush();
}

function wireSocket(socket: ChatSocket): void {
  socket.on('message', receive);
  socket.on('session:update', ({ session }) => {
    if (!session.uids.includes(auth.uid.value)) dropSession(session.sessionid);
    else upsertSession(session);
    if (state.members[session.sessionid]) fetchSession(session.sessionid).catch(() => undefined);
  });
  socket.on('session:removed', ({ sessionid }) => dropSession(sessionid));
  socket.on('presence', ({ uid, status, sessionid }) => {
    const entry = { status, order: ++presenceOrder };
    if (sessionid) (state.sessionPresence[sessionid] ??= {})[uid] = entry;
    else state.presence[uid] = entry;
  });
  socket.on('typing', ({ sessionid, uid }) => {
    if (uid === auth.uid.value) return;
    (state.typing[sessionid] ??= {})[uid] = Date.now() + TYPING_SHOW_MS;
  });
}

function reset(): void {
  state.sessions = {};
  state.sessionsLoaded = false;
  state.sessionsError = '';
  state.messages = {};
  state.history = {};
  outbox.unload();
  state.members = {};
  state.users = {};
  provisional.clear();
  state.presence = {};
  state.sessionPresence = {};
  state.typing = {};
  state.readSeq = {};
  state.myStatus = 'online';
  state.mySessionStatus = {};
  sessionTokens.clear();
  lastTypingSent.clear();
  userLookups.clear();
}

export const chat = {
  state,

  start(): void {
    const token = auth.state.token;
    if (!token || connection.socket) return;
    reset();
    cacheOwner = auth.uid.value;
    state.readSeq = readJson(readKey(), {});
    const saved = readJson<{ global?: PresenceStatus; sessions?: Record<string, PresenceStatus> }>(statusKey(), {});
    state.myStatus = saved.global ?? 'online';
    state.mySessionStatus = saved.sessions ?? {};
    unsubscribeConnect?.();
    const offConnect = connection.onConnect((socket) => void onConnected(socket));
    const offToken = auth.onTokenChanged((fresh) => {
      sessionTokens.clear();
      connection.replaceToken(fresh);
    });
    unsubscribeConnect = () => {
      offConnect();
      offToken();
    };
    wireSocket(connection.open(token));
    void outbox.load(auth.uid.value);
    loadSessions().catch(() => undefined);
    auth.refreshMe().catch(() => undefined);
    clearInterval(typingSweep);
    // drop stale typing marks so the indicator disappears when someone stops typing
    typingSweep = setInterval(() => {
      const now = Date.now();
      for (const marks of Object.values(state.typing)) {
        for (const [uid, until] of Object.entries(marks)) if (until <= now) delete marks[uid];
      }
    }, 1000);
  },

  stop(): void {
    unsubscribeConnect?.();
    unsubscribeConnect = null;
    connection.close();
    clearInterval(typingSweep);
    reset();
    // signed out: what was kept for offline use goes too
    if (!auth.isSignedIn.value && cacheOwner) void chatCache.clear(cacheOwner);
    cacheOwner = '';
  },

  loadSessions,
  fetchSession,
  loadLatest,
  loadOlder,
  markRead,
  unreadOf,
  titleOf,
  otherParty,
  activityOf,
  send,
  sendFiles: outbox.sendFiles,
  sendVoice: outbox.sendVoice,
  retry: outbox.retry,
  discard: outbox.discard,
  cancel: outbox.cancel,
  avatarOf,
  notifyTyping,
  typingIn,
  presenceOf,
  setStatus,
  rememberUser,

  /** Joined conversations of one kind, most recently active first. */
  sessionsFor(filter: SessionFilter): SessionView[] {
    return Object.values(state.sessions)
      .filter((s) =>
        filter === 'all' ? true : filter === 'private' ? s.sessiontype === SessionType.Private : s.sessiontype === SessionType.Group,
      )
      .sort((a, b) => activityOf(b) - activityOf(a));
  },

  async listPublic(): Promise<SessionView[]> {
    const { sessions } = await api<{ sessions: SessionView[] }>('/sessions/public', { query: { limit: 100 } });
    return sessions;
  },

  async join(sessionid: string): Promise<SessionView> {
    const { session } = await api<{ session: SessionView }>(`/sessions/${sessionid}/join`, { method: 'POST' });
    const stored = upsertSession(session);
    markRead(sessionid, session.lastSeq);
    return stored;
  },

  async createGroup(body: CreateGroupBody): Promise<SessionView> {
    const { session } = await api<{ session: SessionView }>('/sessions', { body });
    return upsertSession(session);
  },

  async createPrivate(uid: string): Promise<SessionView> {
    const { session } = await api<{ session: SessionView }>('/sessions/private', { body: { uid } });
    return upsertSession(session);
  },

  async updateSession(sessionid: string, body: UpdateSessionBody): Promise<SessionView> {
    const { session } = await api<{ session: SessionView }>(`/sessions/${sessionid}`, { method: 'PATCH', body });
    return upsertSession(session);
  },

  async invite(sessionid: string, uid: string): Promise<void> {
    const { session } = await api<{ session: SessionView }>(`/sessions/${sessionid}/members`, { body: { uid } });
    upsertSession(session);
    await fetchSession(sessionid);
  },

  async leave(sessionid: string): Promise<void> {
    await api<void>(`/sessions/${sessionid}/leave`, { method: 'POST' });
    dropSession(sessionid);
  },

  async searchUsers(q: string): Promise<UserView[]> {
    const { users } = await api<{ users: UserView[] }>('/users', { query: { q } });
    for (const user of users) rememberUser(user.uid, user.nickname, user.avatar ?? null);
    return users;
  },
};
