/**
 * The last known conversations, people and recent messages of the signed-in user, on disk
 * (IndexedDB), so the chat renders after a reload without a network. Written whenever they are
 * fetched online, read only when a fetch fails for want of a network; cleared on sign-out. Storage
 * that fails (private mode, quota) just means no offline view.
 */
import type { DBSchema } from 'idb';
import { lazyDatabase } from './indexedDb';
import type { MemberView, MessageView, SessionView } from '@protocol';

export interface CachedUser {
  nickname: string;
  avatar?: string;
}

/** One record per (owner, what): the sessions list, the people, a conversation, its newest messages. */
type Entry =
  | { key: string; owner: string; kind: 'sessions'; sessions: SessionView[] }
  | { key: string; owner: string; kind: 'users'; users: Record<string, CachedUser> }
  | { key: string; owner: string; kind: 'session'; session: SessionView; members: MemberView[] }
  | { key: string; owner: string; kind: 'history'; messages: MessageView[] };

interface CacheSchema extends DBSchema {
  entries: { key: string; value: Entry; indexes: { owner: string } };
}

/** Messages kept per conversation: about two screens' worth. */
export const CACHED_MESSAGES = 100;

const database = lazyDatabase<CacheSchema>('cookim-chat-cache', 1, (db) => {
  db.createObjectStore('entries', { keyPath: 'key' }).createIndex('owner', 'owner');
});

/** A plain copy: IndexedDB cannot clone Vue's reactive proxies. */
function plain<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

async function put(entry: Entry): Promise<void> {
  try {
    await (await database()).put('entries', plain(entry));
  } catch {
    /* no offline copy this time */
  }
}

async function get<K extends Entry['kind']>(key: string): Promise<Extract<Entry, { kind: K }> | undefined> {
  try {
    return (await (await database()).get('entries', key)) as Extract<Entry, { kind: K }> | undefined;
  } catch {
    return undefined;
  }
}

const historyWrites = new Map<string, ReturnType<typeof setTimeout>>();

export const chatCache = {
  saveSessions(owner: string, sessions: SessionView[], users: Record<string, CachedUser>): void {
    if (!owner) return;
    void put({ key: `${owner}:sessions`, owner, kind: 'sessions', sessions });
    chatCache.saveUsers(owner, users);
  },

  /** Nicknames (and avatars) of the people the views name: titles of private chats, senders. */
  saveUsers(owner: string, users: Record<string, CachedUser>): void {
    if (owner) void put({ key: `${owner}:users`, owner, kind: 'users', users });
  },

  async sessions(owner: string): Promise<{ sessions: SessionView[]; users: Record<string, CachedUser> } | undefined> {
    const [list, people] = await Promise.all([get<'sessions'>(`${owner}:sessions`), get<'users'>(`${owner}:users`)]);
    return list && { sessions: list.sessions, users: people?.users ?? {} };
  },

  saveSession(owner: string, session: SessionView, members: MemberView[]): void {
    if (owner) void put({ key: `${owner}:session:${session.sessionid}`, owner, kind: 'session', session, members });
  },

  async session(owner: string, sessionid: string): Promise<{ session: SessionView; members: MemberView[] } | undefined> {
    return get<'session'>(`${owner}:session:${sessionid}`);
  },

  /** Keeps the newest messages of a conversation; batched, as messages arrive in bursts. */
  saveHistory(owner: string, sessionid: string, newest: () => MessageView[]): void {
    if (!owner) return;
    const key = `${owner}:history:${sessionid}`;
    clearTimeout(historyWrites.get(key));
    historyWrites.set(
      key,
      setTimeout(() => {
        historyWrites.delete(key);
        void put({ key, owner, kind: 'history', messages: newest().slice(-CACHED_MESSAGES) });
      }, 500),
    );
  },

  async history(owner: string, sessionid: string): Promise<MessageView[] | undefined> {
    return (await get<'history'>(`${owner}:history:${sessionid}`))?.messages;
  },

  /** Everything kept for this user (sign-out). */
  async clear(owner: string): Promise<void> {
    for (const timer of historyWrites.values()) clearTimeout(timer);
    historyWrites.clear();
    try {
      const tx = (await database()).transaction('entries', 'readwrite');
      const keys = await tx.store.index('owner').getAllKeys(owner);
      await Promise.all([...keys.map((key) => tx.store.delete(key)), tx.done]);
    } catch {
      /* nothing stored */
    }
  },
};
