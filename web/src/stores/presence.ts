/**
 * Who is online: everyone's status as the server reports it (globally and per conversation, the
 * newest report winning), and the user's own chosen status, kept per user in localStorage and said
 * again to the server after every reconnect (it forgets a chosen status when a connection drops).
 */
import { reactive } from 'vue';
import type { MemberView, PresenceStatus, VisiblePresence } from '@protocol';
import { socketRequest } from '@/lib/socketRequest';
import { readJson, writeJson } from '@/lib/storage';
import { auth } from './auth';
import { connection, type ChatSocket } from './connection';

interface PresenceEntry {
  status: VisiblePresence;
  /** Arrival order: the newest of a user's global and per-conversation entries wins. */
  order: number;
}

interface SavedStatus {
  global?: PresenceStatus;
  sessions?: Record<string, PresenceStatus>;
}

const SET_TIMEOUT_MS = 15_000;

const state = reactive({
  presence: {} as Record<string, PresenceEntry>,
  sessionPresence: {} as Record<string, Record<string, PresenceEntry>>,
  myStatus: 'online' as PresenceStatus,
  mySessionStatus: {} as Record<string, PresenceStatus>,
});

let order = 0;

const storageKey = () => `cookim.status.${auth.uid.value}`;

function emit(socket: ChatSocket | null, status: PresenceStatus, sessionid?: string): Promise<void> {
  if (!socket?.connected) return Promise.resolve();
  return socketRequest(socket, 'presence:set', sessionid ? { status, sessionid } : { status }, SET_TIMEOUT_MS).then(() => undefined);
}

export const presence = {
  state,

  /** The signed-in user's chosen statuses from localStorage. */
  load(): void {
    const saved = readJson<SavedStatus>(storageKey(), {});
    state.myStatus = saved.global ?? 'online';
    state.mySessionStatus = saved.sessions ?? {};
  },

  /** What to show for a user, in a conversation or anywhere. */
  of(uid: string, sessionid?: string): VisiblePresence {
    if (uid === auth.uid.value) {
      const mine = (sessionid && state.mySessionStatus[sessionid]) || state.myStatus;
      return mine === 'invisible' ? 'offline' : connection.state.status === 'connected' ? mine : 'offline';
    }
    const global = state.presence[uid];
    const local = sessionid ? state.sessionPresence[sessionid]?.[uid] : undefined;
    const newest = [global, local].filter((e): e is PresenceEntry => !!e).sort((a, b) => b.order - a.order)[0];
    return newest?.status ?? 'offline';
  },

  /** The user's own status, everywhere or in one conversation. */
  set(status: PresenceStatus, sessionid?: string): Promise<void> {
    if (sessionid) state.mySessionStatus[sessionid] = status;
    else {
      state.myStatus = status;
      // "everywhere" replaces the per-conversation choices
      state.mySessionStatus = {};
    }
    writeJson(storageKey(), { global: state.myStatus, sessions: state.mySessionStatus } satisfies SavedStatus);
    return emit(connection.socket, status, sessionid);
  },

  /** Says the chosen statuses again on a new connection. */
  announce(socket: ChatSocket): void {
    if (state.myStatus !== 'online') emit(socket, state.myStatus).catch(() => undefined);
    for (const [sessionid, status] of Object.entries(state.mySessionStatus)) emit(socket, status, sessionid).catch(() => undefined);
  },

  /** A `presence` event. */
  reported(uid: string, status: VisiblePresence, sessionid?: string): void {
    const entry = { status, order: ++order };
    if (sessionid) (state.sessionPresence[sessionid] ??= {})[uid] = entry;
    else state.presence[uid] = entry;
  },

  /** The members' presence as a conversation's details list it. */
  fromMembers(sessionid: string, members: MemberView[]): void {
    const entries = (state.sessionPresence[sessionid] ??= {});
    for (const member of members) entries[member.uid] = { status: member.presence, order: ++order };
  },

  reset(): void {
    state.presence = {};
    state.sessionPresence = {};
    state.myStatus = 'online';
    state.mySessionStatus = {};
  },
};
