/** "Someone is typing": marks from `typing` events that fade after a few seconds, and our own throttled notices. */
import { reactive } from 'vue';
import { t } from '@/i18n';
import { auth } from './auth';
import { connection } from './connection';
import { users } from './users';

const SHOW_MS = 6_000;
const SEND_EVERY_MS = 3_000;

const state = reactive({
  /** sessionid -> uid -> until when the mark shows. */
  typing: {} as Record<string, Record<string, number>>,
});

const lastSent = new Map<string, number>();
let sweep: ReturnType<typeof setInterval> | undefined;

export const typing = {
  state,

  /** The user is typing: one event every few seconds at most. */
  notify(sessionid: string): void {
    const socket = connection.socket;
    if (!socket?.connected) return;
    const now = Date.now();
    if (now - (lastSent.get(sessionid) ?? 0) < SEND_EVERY_MS) return;
    lastSent.set(sessionid, now);
    socket.emit('typing', { sessionid });
  },

  /** The user sent a message: the next keystroke says "typing" again at once. */
  sent(sessionid: string): void {
    lastSent.delete(sessionid);
  },

  /** A `typing` event. */
  reported(sessionid: string, uid: string): void {
    if (uid === auth.uid.value) return;
    (state.typing[sessionid] ??= {})[uid] = Date.now() + SHOW_MS;
  },

  /** Their message arrived: they stopped typing it. */
  stopped(sessionid: string, uid: string): void {
    const marks = state.typing[sessionid];
    if (marks) delete marks[uid];
  },

  /** Nicknames of those typing in a conversation now (not the user). */
  namesIn(sessionid: string): string[] {
    const now = Date.now();
    return Object.entries(state.typing[sessionid] ?? {})
      .filter(([uid, until]) => until > now && uid !== auth.uid.value)
      .map(([uid]) => users.nicknameOf(uid) ?? t('common.someone'));
  },

  forget(sessionid: string): void {
    delete state.typing[sessionid];
  },

  /** Drops stale marks every second, so the indicator disappears when someone stops typing. */
  startSweeping(): void {
    clearInterval(sweep);
    sweep = setInterval(() => {
      const now = Date.now();
      for (const marks of Object.values(state.typing)) {
        for (const [uid, until] of Object.entries(marks)) if (until <= now) delete marks[uid];
      }
    }, 1000);
  },

  reset(): void {
    clearInterval(sweep);
    sweep = undefined;
    state.typing = {};
    lastSent.clear();
  },
};
