/**
 * The conversations the user belongs to and their members, from REST calls and `session:update`
 * events, with the last known list on disk for offline use. Dropping a conversation tells the
 * other stores (onDropped) so they forget what they hold for it.
 */
import { reactive } from 'vue';
import { activityOf, mergeSession } from '@/lib/sessionMerge';
import { SessionType, type CreateGroupBody, type MemberView, type MessageView, type SessionView, type UpdateSessionBody } from '@protocol';
import { api } from '@/lib/api';
import { t } from '@/i18n';
import { chatCache } from '@/lib/chatCache';
import { isUnanswered } from '@/lib/requestError';
import { auth } from './auth';
import { presence } from './presence';
import { users } from './users';

export type SessionFilter = 'all' | 'private' | 'group';

const state = reactive({
  sessions: {} as Record<string, SessionView>,
  sessionsLoaded: false,
  sessionsError: '',
  members: {} as Record<string, MemberView[]>,
});

let listRequest: Promise<void> | null = null;
const droppedListeners = new Set<(sessionid: string) => void>();

function upsert(incoming: SessionView): SessionView {
  const merged = mergeSession(state.sessions[incoming.sessionid], incoming);
  state.sessions[incoming.sessionid] = merged;
  users.remember(merged.lastMessage?.senduid, merged.lastMessage?.nickname);
  return merged;
}

function drop(sessionid: string): void {
  delete state.sessions[sessionid];
  delete state.members[sessionid];
  for (const listener of droppedListeners) listener(sessionid);
}

function setMembers(sessionid: string, members: MemberView[]): void {
  state.members[sessionid] = members;
  for (const member of members) users.remember(member.uid, member.nickname, member.avatar ?? null);
  presence.fromMembers(sessionid, members);
}

async function loadAll(): Promise<void> {
  listRequest ??= (async () => {
    try {
      const { sessions } = await api<{ sessions: SessionView[] }>('/sessions', { query: { type: 'all' } });
      const seen = new Set<string>();
      for (const session of sessions) {
        upsert(session);
        seen.add(session.sessionid);
      }
      for (const id of Object.keys(state.sessions)) if (!seen.has(id)) drop(id);
      state.sessionsLoaded = true;
      state.sessionsError = '';
      chatCache.saveSessions(auth.uid.value, sessions, users.state.users);
    } catch (error) {
      const cached = isUnanswered(error) ? await chatCache.sessions(auth.uid.value) : undefined;
      if (cached) {
        // offline: the last known list until the connection returns (a reconnect loads it again)
        for (const [uid, user] of Object.entries(cached.users)) users.remember(uid, user.nickname, user.avatar ?? null);
        for (const session of cached.sessions) if (!state.sessions[session.sessionid]) upsert(session);
        state.sessionsError = '';
        return;
      }
      state.sessionsError = error instanceof Error ? error.message : String(error);
      throw error;
    } finally {
      listRequest = null;
    }
  })();
  return listRequest;
}

async function fetchOne(sessionid: string): Promise<SessionView> {
  let found: { session: SessionView; members: MemberView[] };
  try {
    found = await api<{ session: SessionView; members: MemberView[] }>(`/sessions/${sessionid}`);
    chatCache.saveSession(auth.uid.value, found.session, found.members);
  } catch (error) {
    const cached = isUnanswered(error) ? await chatCache.session(auth.uid.value, sessionid) : undefined;
    if (!cached) throw error;
    // offline: nobody's presence is known
    found = { session: cached.session, members: cached.members.map((m) => ({ ...m, presence: 'offline' })) };
  }
  upsert(found.session);
  setMembers(sessionid, found.members);
  return state.sessions[sessionid]!;
}

function otherParty(session: SessionView): string | undefined {
  const me = auth.uid.value;
  return session.uids.find((uid) => uid !== me) ?? (session.senduid !== me ? session.senduid : session.recvuid);
}

export const sessions = {
  state,
  upsert,
  drop,
  loadAll,
  fetchOne,
  otherParty,
  activityOf,

  /** A conversation was left or lost: whoever keeps something per conversation forgets it. */
  onDropped(listener: (sessionid: string) => void): () => void {
    droppedListeners.add(listener);
    return () => droppedListeners.delete(listener);
  },

  /** The newest message of a conversation moved on (one we received). */
  advanced(message: MessageView): boolean {
    const session = state.sessions[message.sessionid];
    if (!session) return false;
    session.lastSeq = Math.max(session.lastSeq, message.seq);
    if (!session.lastMessage || session.lastMessage.seq <= message.seq) session.lastMessage = message;
    session.lastActivity = Math.max(session.lastActivity ?? 0, message.time);
    return true;
  },

  /** The title to show: the group name, or for a private chat the other person's nickname. */
  titleOf(session: SessionView): string {
    if (session.sessiontype !== SessionType.Private) return session.name || t('chat.untitledGroup');
    const other = otherParty(session);
    if (other) {
      const known = users.nicknameOf(other);
      if (known) return known;
      users.lookup(other);
    }
    return session.name || t('chat.privateChat');
  },

  /** Joined conversations of one kind, most recently active first. */
  sessionsFor(filter: SessionFilter): SessionView[] {
    return Object.values(state.sessions)
      .filter((s) =>
        filter === 'all' ? true : filter === 'private' ? s.sessiontype === SessionType.Private : s.sessiontype === SessionType.Group,
      )
      .sort((a, b) => activityOf(b) - activityOf(a));
  },

  async listPublic(): Promise<SessionView[]> {
    const { sessions: found } = await api<{ sessions: SessionView[] }>('/sessions/public', { query: { limit: 100 } });
    return found;
  },

  async join(sessionid: string): Promise<SessionView> {
    const { session } = await api<{ session: SessionView }>(`/sessions/${sessionid}/join`, { method: 'POST' });
    return upsert(session);
  },

  async createGroup(body: CreateGroupBody): Promise<SessionView> {
    const { session } = await api<{ session: SessionView }>('/sessions', { body });
    return upsert(session);
  },

  async createPrivate(uid: string): Promise<SessionView> {
    const { session } = await api<{ session: SessionView }>('/sessions/private', { body: { uid } });
    return upsert(session);
  },

  async update(sessionid: string, body: UpdateSessionBody): Promise<SessionView> {
    const { session } = await api<{ session: SessionView }>(`/sessions/${sessionid}`, { method: 'PATCH', body });
    return upsert(session);
  },

  async invite(sessionid: string, uid: string): Promise<void> {
    const { session } = await api<{ session: SessionView }>(`/sessions/${sessionid}/members`, { body: { uid } });
    upsert(session);
    await fetchOne(sessionid);
  },

  async leave(sessionid: string): Promise<void> {
    await api<void>(`/sessions/${sessionid}/leave`, { method: 'POST' });
    drop(sessionid);
  },

  reset(): void {
    state.sessions = {};
    state.sessionsLoaded = false;
    state.sessionsError = '';
    state.members = {};
  },
};
