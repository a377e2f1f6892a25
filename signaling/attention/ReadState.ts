import type { MessageDoc, ReadStateDoc, SessionDoc } from '../../storage/documents';
import type { ReadEvent, ReadSetResult, ReadsAnswer, SessionAttention } from '../protocol/attention';
import type { SessionView } from '../protocol/models';
import { sessionRoom, userRoom } from '../socket/Fanout';
import type { ReadStateDeps } from './ReadStateTypes';

/** Conversations counted at once for one GET /api/sessions. */
const COUNT_CONCURRENCY = 16;

/** A mute in force at `now` (an expired one reads as not muted). */
export function muteOf(doc: ReadStateDoc | null | undefined, now = Date.now()): Pick<SessionAttention, 'muted' | 'mutedUntil'> {
  if (!doc?.muted) return { muted: false };
  if (doc.mutedUntil === undefined) return { muted: true };
  return doc.mutedUntil > now ? { muted: true, mutedUntil: doc.mutedUntil } : { muted: false };
}

/**
 * Read state on the server (issue 13): each member's read position per conversation, moved only
 * forward by `read:set` and by the member's own sends; the unread counts GET /api/sessions carries;
 * and the `read` events: to the reader's other sockets (badges clear on every device) and, for
 * `read:set`, as receipts to the other members, unless the reader or the receiving member turned
 * receipts off.
 */
export class ReadState {
  constructor(private readonly deps: ReadStateDeps) {}

  /** `read:set`: members only; a seq past the conversation's end is clamped to it. */
  async markRead(uid: string, sessionid: string, seq: number, fromSocket?: string): Promise<ReadSetResult> {
    const session = await this.deps.sessionService.forMember(sessionid, uid);
    const head = await this.deps.readStates.headSeq(sessionid);
    const moved = await this.deps.readStates.advance(uid, sessionid, Math.min(seq, head));
    if (moved.changed) await this.announce(session, uid, moved.seq, fromSocket);
    return { sessionid, seq: moved.seq };
  }

  /**
   * A member's own message is read by them: their position moves to it, awaited (so the sender's
   * counts are right as soon as the send is acknowledged), and their other sockets hear of it. The
   * other members get no `read` for it: the message itself tells them (README), which spares a
   * second broadcast to the whole conversation for every message. Never fails: the message is stored.
   */
  async markSent(message: MessageDoc, fromSocket?: string): Promise<void> {
    const moved = await this.deps.readStates.advance(message.senduid, message.sessionid, message.seq).catch((err: unknown) => {
      this.deps.logger.warn({ err, sessionid: message.sessionid }, 'moving the sender\'s read position failed');
      return null;
    });
    if (moved?.changed) this.toOwnSockets({ sessionid: message.sessionid, uid: message.senduid, seq: moved.seq }, fromSocket);
  }

  /** `GET /api/sessions/:id/reads`: the other current members' positions; none for a caller with receipts off. */
  async reads(sessionid: string, caller: string): Promise<ReadsAnswer> {
    const session = await this.deps.sessionService.forMember(sessionid, caller);
    const off = await this.deps.readStates.receiptsOffAmong(session.uids);
    if (off.has(caller)) return { reads: [] };
    const members = new Set(session.uids);
    const reads = (await this.deps.readStates.readers(sessionid)).filter((r) => r.uid !== caller && members.has(r.uid) && !off.has(r.uid));
    return { reads };
  }

  /** The caller's read position, unread counts and mute on each of their conversations. */
  async annotate(uid: string, views: SessionView[]): Promise<SessionView[]> {
    const states = await this.deps.readStates.forUser(
      uid,
      views.map((v) => v.sessionid),
    );
    const now = Date.now();
    const annotated: SessionView[] = new Array(views.length);
    let next = 0;
    const worker = async () => {
      while (next < views.length) {
        const i = next++;
        const view = views[i];
        const state = states.get(view.sessionid);
        const readSeq = state?.readSeq ?? 0;
        // The head is recorded before a send is acknowledged: nothing past it to count.
        const counts = view.lastSeq > readSeq ? await this.deps.readStates.unreadCounts(uid, view.sessionid, readSeq) : { unread: 0, unreadMentions: 0 };
        annotated[i] = { ...view, readSeq, ...counts, ...muteOf(state, now) };
      }
    };
    await Promise.all(Array.from({ length: Math.min(COUNT_CONCURRENCY, views.length) }, worker));
    return annotated;
  }

  /** The reader's other sockets learn their new position; the other members get a receipt. */
  private async announce(session: SessionDoc, uid: string, seq: number, fromSocket?: string): Promise<void> {
    const event: ReadEvent = { sessionid: session._id.toHexString(), uid, seq };
    this.toOwnSockets(event, fromSocket);
    const off = await this.deps.readStates.receiptsOffAmong(session.uids);
    if (off.has(uid)) return;
    this.deps.io
      .to(sessionRoom(event.sessionid))
      .except([userRoom(uid), ...[...off].map(userRoom)])
      .emit('read', event);
  }

  /** The reader's other sockets (the one that read has its ack). */
  private toOwnSockets(event: ReadEvent, fromSocket?: string): void {
    const own = this.deps.io.to(userRoom(event.uid));
    (fromSocket ? own.except(fromSocket) : own).emit('read', event);
  }
}
