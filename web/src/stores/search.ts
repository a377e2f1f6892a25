/**
 * Message search (issue 13): the query, its scope (all conversations or the open one), the pages
 * of results from GET /api/search, and the jump from a result to its message in the conversation.
 */
import { nextTick, reactive } from 'vue';
import { SearchLimits, type SearchAnswer, type SearchResult } from '@protocol';
import { api } from '@/lib/api';
import { history } from './history';
import { messages } from './messages';

export type SearchScope = 'all' | 'conversation';

const state = reactive({
  open: false,
  query: '',
  scope: 'all' as SearchScope,
  /** The conversation `scope: 'conversation'` means (the one open when the panel opened). */
  sessionid: '' as string,
  results: [] as SearchResult[],
  loading: false,
  hasMore: false,
  error: '',
  /** The message a result click is bringing into view. */
  target: null as { sessionid: string; msgid: string } | null,
});

/** Answers of an older query are dropped when a newer one was asked meanwhile. */
let generation = 0;
/** Older pages fetched at most while looking for a result's message. */
const MAX_PAGES_BACK = 100;

async function fetchPage(more: boolean): Promise<void> {
  const q = state.query.trim();
  const mine = ++generation;
  if (!q) {
    state.results = [];
    state.hasMore = false;
    state.loading = false;
    state.error = '';
    return;
  }
  const last = more ? state.results[state.results.length - 1]?.message : undefined;
  state.loading = true;
  state.error = '';
  try {
    const answer = await api<SearchAnswer>('/search', {
      query: {
        q,
        limit: SearchLimits.pageDefault,
        ...(state.scope === 'conversation' && state.sessionid ? { sessionid: state.sessionid } : {}),
        ...(last ? { before: last.time, beforeId: last.msgid } : {}),
      },
    });
    if (mine !== generation) return;
    state.results = more ? [...state.results, ...answer.results] : answer.results;
    state.hasMore = answer.results.length >= SearchLimits.pageDefault;
  } catch (error) {
    if (mine !== generation) return;
    state.error = error instanceof Error ? error.message : String(error);
  } finally {
    if (mine === generation) state.loading = false;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits while the conversation's history is being fetched (by the view or by us). */
async function historyIdle(sessionid: string): Promise<void> {
  for (let i = 0; i < 200 && history.state.history[sessionid]?.loading; i++) await sleep(50);
}

/** Pages the conversation back until the message is loaded (history pages go by seq). */
async function loadUntil(sessionid: string, msgid: string): Promise<boolean> {
  await historyIdle(sessionid);
  if (!history.state.history[sessionid]?.loaded) await history.loadLatest(sessionid).catch(() => undefined);
  for (let i = 0; i < MAX_PAGES_BACK && !messages.has(sessionid, msgid); i++) {
    await historyIdle(sessionid);
    if (!history.state.history[sessionid]?.hasMore) break;
    await history.loadOlder(sessionid);
  }
  return messages.has(sessionid, msgid);
}

/** Scrolls the message into view and marks it for a moment (the list renders it after a tick). */
async function reveal(msgid: string): Promise<void> {
  for (let i = 0; i < 40; i++) {
    await nextTick();
    const el = document.querySelector<HTMLElement>(`[data-testid="message"][data-msgid="${CSS.escape(msgid)}"]`);
    if (el) {
      // after the list's own first scroll to the bottom
      await sleep(60);
      el.scrollIntoView({ block: 'center' });
      el.dataset.searchHit = 'true';
      setTimeout(() => delete el.dataset.searchHit, 2500);
      return;
    }
    await sleep(50);
  }
}

export const search = {
  state,

  show(openSessionid?: string): void {
    state.open = true;
    state.sessionid = openSessionid ?? '';
    if (!openSessionid && state.scope === 'conversation') state.scope = 'all';
  },

  hide(): void {
    state.open = false;
  },

  setScope(scope: SearchScope): void {
    state.scope = scope;
    void fetchPage(false);
  },

  run(query: string): Promise<void> {
    state.query = query;
    return fetchPage(false);
  },

  loadMore(): Promise<void> {
    if (state.loading || !state.hasMore) return Promise.resolve();
    return fetchPage(true);
  },

  /** After the view navigated to the result's conversation: loads history back to the message and shows it. */
  async open(result: SearchResult): Promise<void> {
    state.open = false;
    state.target = { sessionid: result.sessionid, msgid: result.message.msgid };
    if (await loadUntil(result.sessionid, result.message.msgid)) await reveal(result.message.msgid);
  },

  reset(): void {
    generation++;
    Object.assign(state, { open: false, query: '', scope: 'all', sessionid: '', results: [], loading: false, hasMore: false, error: '', target: null });
  },
};
