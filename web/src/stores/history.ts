/**
 * A conversation's history over REST: the newest page when it opens, older pages as the user
 * scrolls up; the newest messages are kept on disk so an offline reload still shows them.
 */
import { reactive } from 'vue';
import { Limits, type MessageUpdate, type MessageView } from '@protocol';
import { errorText } from '@/i18n/errorText';
import type { LocalText } from '@/i18n/localText';
import { api } from '@/lib/api';
import { chatCache } from '@/lib/chatCache';
import { isUnanswered } from '@/lib/requestError';
import { auth } from './auth';
import { messages } from './messages';
import { sessions } from './sessions';
import { users } from './users';

export interface HistoryState {
  /** The newest page has been fetched. */
  loaded: boolean;
  loading: boolean;
  hasMore: boolean;
  /** Kept as a catalogue key, or the words to show as they are (web/src/i18n/localText.ts). */
  error?: LocalText;
}

const state = reactive({
  history: {} as Record<string, HistoryState>,
});

/** A history page; `updates` holds the membership events among its messages (shown as lines). */
interface HistoryPage {
  messages: MessageView[];
  updates?: MessageUpdate[];
}

function page(sessionid: string, before?: number): Promise<HistoryPage> {
  return api<HistoryPage>(`/sessions/${sessionid}/messages`, {
    query: { ...(before !== undefined ? { before } : {}), limit: Limits.historyPageDefault },
  });
}

/** Adds a page (newest first); answers how many were new. */
function add(sessionid: string, found: MessageView[]): number {
  let added = 0;
  for (const message of found) {
    users.remember(message.senduid, message.nickname);
    if (messages.insert(sessionid, message)) added++;
  }
  return added;
}

function addMemberEvents(updates: MessageUpdate[] | undefined): void {
  for (const update of updates ?? []) {
    if (update.kind !== 'member') continue;
    messages.addMemberEvent(update);
    if (update.uid) users.lookup(update.uid);
  }
}

/** More pages before the oldest one on hand, judged by this page's size and the oldest seq. */
function moreBefore(sessionid: string, pageSize: number): boolean {
  const oldest = messages.of(sessionid)?.[0];
  return pageSize >= Limits.historyPageDefault && !!oldest && oldest.seq > 1;
}

/** Writes the newest messages to disk (batched by chatCache). */
function save(sessionid: string): void {
  chatCache.saveHistory(auth.uid.value, sessionid, () => messages.confirmed(sessionid));
}

export const history = {
  state,

  /** Keeps the disk copy current when a message arrives in a conversation whose history is loaded. */
  saveIfLoaded(sessionid: string): void {
    if (state.history[sessionid]?.loaded) save(sessionid);
  },

  async loadLatest(sessionid: string): Promise<void> {
    const entry = (state.history[sessionid] ??= { loaded: false, loading: false, hasMore: true });
    if (entry.loading) return;
    entry.loading = true;
    entry.error = undefined;
    try {
      const { messages: found, updates } = await page(sessionid);
      add(sessionid, found);
      addMemberEvents(updates);
      entry.hasMore = moreBefore(sessionid, found.length);
      entry.loaded = true;
      const newest = found[0];
      const session = sessions.state.sessions[sessionid];
      if (newest && session && newest.seq >= session.lastSeq) {
        session.lastSeq = newest.seq;
        session.lastMessage = newest;
      }
      save(sessionid);
    } catch (error) {
      const cached = isUnanswered(error) ? await chatCache.history(auth.uid.value, sessionid) : undefined;
      if (cached) {
        // offline: the last known messages; not `loaded`, so opening it online fetches again
        for (const message of cached) messages.insert(sessionid, message);
        entry.hasMore = (messages.of(sessionid)?.[0]?.seq ?? 1) > 1;
        return;
      }
      entry.error = errorText(error);
      throw error;
    } finally {
      entry.loading = false;
    }
  },

  /** Fetches the page before the oldest loaded message; answers how many were added. */
  async loadOlder(sessionid: string): Promise<number> {
    const entry = state.history[sessionid];
    const oldest = messages.of(sessionid)?.[0];
    if (!entry || !oldest || entry.loading || !entry.hasMore) return 0;
    entry.loading = true;
    entry.error = undefined;
    try {
      const { messages: found, updates } = await page(sessionid, oldest.seq);
      const added = add(sessionid, found);
      addMemberEvents(updates);
      entry.hasMore = moreBefore(sessionid, found.length);
      return added;
    } catch (error) {
      entry.error = errorText(error);
      return 0;
    } finally {
      entry.loading = false;
    }
  },

  forget(sessionid: string): void {
    delete state.history[sessionid];
  },

  reset(): void {
    state.history = {};
  },
};
