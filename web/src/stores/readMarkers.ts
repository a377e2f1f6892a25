/** How far the user has read in each conversation (the last seq seen), kept per user in localStorage. */
import { reactive } from 'vue';
import type { SessionView } from '@protocol';
import { readJson, writeJson } from '@/lib/storage';
import { auth } from './auth';

const state = reactive({
  readSeq: {} as Record<string, number>,
});

const storageKey = () => `cookim.read.${auth.uid.value}`;

export const readMarkers = {
  state,

  /** The signed-in user's markers from localStorage. */
  load(): void {
    state.readSeq = readJson(storageKey(), {});
  },

  readUpTo(sessionid: string): number {
    return state.readSeq[sessionid] ?? 0;
  },

  /** Read up to `seq` (never moves back). */
  markRead(sessionid: string, seq: number): void {
    if ((state.readSeq[sessionid] ?? 0) >= seq) return;
    state.readSeq[sessionid] = seq;
    writeJson(storageKey(), state.readSeq);
  },

  unreadOf(session: SessionView): number {
    return Math.max(0, session.lastSeq - (state.readSeq[session.sessionid] ?? 0));
  },

  reset(): void {
    state.readSeq = {};
  },
};
