/**
 * How far the user has read each conversation, as the server keeps it (issue 13): `readSeq`,
 * `unread` and `unreadMentions` come on every session of GET /api/sessions and are kept current
 * here between loads: a message from someone else counts, our own never does, and reading moves the
 * position forward only. Reading is told to the server with `read:set`, at most once a second per
 * conversation; the server tells our other devices (`read` with our own uid), so a badge cleared on
 * one clears on all. Other members' `read` events are the read receipts.
 */
import { reactive } from 'vue';
import { MENTION_ALL, type MessageView, type ReadEvent, type ReadsAnswer, type SessionView } from '@protocol';
import { api } from '@/lib/api';
import { notifications } from '@/lib/notifications';
import { socketRequest } from '@/lib/socketRequest';
import { auth } from './auth';
import { connection } from './connection';
import { messages } from './messages';
import { sessions } from './sessions';

const SEND_EVERY_MS = 1000;

const state = reactive({
  /** Per conversation, how far each other member has read (only members who send receipts). */
  receipts: {} as Record<string, Record<string, number>>,
});

/** What was last told to the server per conversation, and what waits for the next send. */
const sent = new Map<string, number>();
const waiting = new Map<string, number>();
const timers = new Map<string, ReturnType<typeof setTimeout>>();
/** Conversations whose last `read:set` did not get through (offline): the next read tells again. */
const untold = new Set<string>();

function mentionsMe(message: Pick<MessageView, 'mentions'>): boolean {
  const mentions = message.mentions ?? [];
  return mentions.includes(auth.uid.value) || mentions.includes(MENTION_ALL);
}

/** Counts again from the loaded messages after `readSeq`; the old count caps it (older ones may not be loaded). */
function recount(session: SessionView): void {
  const readSeq = session.readSeq ?? 0;
  if (readSeq >= session.lastSeq) {
    session.unread = 0;
    session.unreadMentions = 0;
    return;
  }
  const me = auth.uid.value;
  const loaded = messages.of(session.sessionid) ?? [];
  const first = loaded[0]?.seq ?? Infinity;
  const after = loaded.filter((m) => m.seq > readSeq && m.senduid !== me && !m.deleted);
  // the loaded messages cover everything after readSeq: the count is exact
  if (first <= readSeq + 1) {
    session.unread = after.length;
    session.unreadMentions = after.filter(mentionsMe).length;
  } else {
    session.unread = Math.min(session.unread ?? 0, session.lastSeq - readSeq);
    session.unreadMentions = Math.min(session.unreadMentions ?? 0, session.unread);
  }
}

/** Moves the read position forward (never back) and the counts with it. */
function moveTo(sessionid: string, seq: number): boolean {
  const session = sessions.state.sessions[sessionid];
  if (!session || seq <= (session.readSeq ?? 0)) return false;
  session.readSeq = seq;
  recount(session);
  // read here or on another device: its notification has served its purpose
  if (!session.unread) void notifications.close(`session-${sessionid}`);
  return true;
}

function flush(sessionid: string): void {
  timers.delete(sessionid);
  const seq = waiting.get(sessionid);
  waiting.delete(sessionid);
  if (seq === undefined || seq <= (sent.get(sessionid) ?? 0)) return;
  sent.set(sessionid, seq);
  untold.delete(sessionid);
  socketRequest(connection.socket, 'read:set', { sessionid, seq }).catch(() => {
    if ((sent.get(sessionid) ?? 0) !== seq) return;
    sent.delete(sessionid);
    untold.add(sessionid);
  });
}

/** Tells the server, throttled: the first read goes at once, later ones at most once a second. */
function tell(sessionid: string, seq: number): void {
  waiting.set(sessionid, Math.max(seq, waiting.get(sessionid) ?? 0));
  if (timers.has(sessionid)) return;
  flush(sessionid);
  timers.set(sessionid, setTimeout(() => flush(sessionid), SEND_EVERY_MS));
}

export const readMarkers = {
  state,

  readUpTo(sessionid: string): number {
    return sessions.state.sessions[sessionid]?.readSeq ?? 0;
  },

  /** The user saw the conversation up to `seq`: counts clear here and the server hears of it. */
  markRead(sessionid: string, seq: number): void {
    if (seq <= 0) return;
    if (moveTo(sessionid, seq) || untold.has(sessionid)) tell(sessionid, seq);
  },

  unreadOf(session: SessionView): number {
    return session.unread ?? 0;
  },

  mentionsOf(session: SessionView): number {
    return session.unreadMentions ?? 0;
  },

  mentionsMe,

  /** A message arriving, before the conversation's counter moves past it. */
  received(message: MessageView): void {
    const session = sessions.state.sessions[message.sessionid];
    if (!session) return;
    if (message.senduid === auth.uid.value) {
      // our own message: the server moved our read position to it
      moveTo(message.sessionid, message.seq);
      return;
    }
    // a copy of something counted already (a sync replay, a list loaded after it was sent)
    if (message.seq <= session.lastSeq || message.seq <= (session.readSeq ?? 0)) return;
    session.unread = (session.unread ?? 0) + 1;
    if (mentionsMe(message)) session.unreadMentions = (session.unreadMentions ?? 0) + 1;
  },

  /** `read` from the server: our own other device read (badges clear), or another member's receipt. */
  reported(event: ReadEvent): void {
    if (event.uid === auth.uid.value) {
      moveTo(event.sessionid, event.seq);
      sent.set(event.sessionid, Math.max(event.seq, sent.get(event.sessionid) ?? 0));
      return;
    }
    const reads = (state.receipts[event.sessionid] ??= {});
    reads[event.uid] = Math.max(event.seq, reads[event.uid] ?? 0);
  },

  /** Receipts as they stand (a conversation opened): GET /api/sessions/:id/reads, when the server has it. */
  async loadReceipts(sessionid: string): Promise<void> {
    try {
      const { reads } = await api<ReadsAnswer>(`/sessions/${sessionid}/reads`);
      const known = (state.receipts[sessionid] ??= {});
      for (const { uid, seq } of reads) if (uid !== auth.uid.value) known[uid] = Math.max(seq, known[uid] ?? 0);
    } catch {
      /* receipts then come only as members read */
    }
  },

  reset(): void {
    for (const timer of timers.values()) clearTimeout(timer);
    timers.clear();
    waiting.clear();
    sent.clear();
    untold.clear();
    state.receipts = {};
  },
};
