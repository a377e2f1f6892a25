import { ObjectId, type Filter, type UpdateFilter } from 'mongodb';
import type { Database } from './Database';
import type { MessageDoc, ReadStateDoc } from './documents';

/** What `mentions` holds for "everyone in the conversation" (the wire's MENTION_ALL). */
const MENTION_ALL = 'all';

export interface UnreadCounts {
  unread: number;
  unreadMentions: number;
}

export interface MuteState {
  muted: boolean;
  mutedUntil?: number;
}

const idOf = (uid: string, sessionid: string): string => `${uid}:${sessionid}`;

/**
 * Each user's state in each conversation (issue 13): the read position (only forward) and the mute.
 * Unread counts are counted by the driver over the (sessionid, seq) index from the read position on,
 * so a conversation read to its end costs nothing and a long unread stretch is counted, not fetched.
 */
export class ReadStateStore {
  constructor(private readonly db: Database) {}

  /** The user's records among `sessionids`, by sessionid (missing ones: nothing read, not muted). */
  async forUser(uid: string, sessionids: string[]): Promise<Map<string, ReadStateDoc>> {
    if (sessionids.length === 0) return new Map();
    const docs = await this.db.readStates.find({ _id: { $in: sessionids.map((s) => idOf(uid, s)) } }).toArray();
    return new Map(docs.map((d) => [d.sessionid, d]));
  }

  async get(uid: string, sessionid: string): Promise<ReadStateDoc | null> {
    return this.db.readStates.findOne({ _id: idOf(uid, sessionid) });
  }

  /**
   * Moves the read position to `seq` unless it is already there or further: answers the position
   * now and whether this call moved it. Atomic (`$max`), so concurrent devices never move it back.
   */
  async advance(uid: string, sessionid: string, seq: number): Promise<{ seq: number; changed: boolean }> {
    const before = await this.db.readStates.findOneAndUpdate(
      { _id: idOf(uid, sessionid) },
      { $max: { readSeq: seq }, $setOnInsert: { uid, sessionid } },
      { upsert: true, returnDocument: 'before' },
    );
    const previous = before?.readSeq ?? 0;
    return { seq: Math.max(previous, seq), changed: seq > previous };
  }

  /** Every member's read position in the conversation (those who ever read it). */
  async readers(sessionid: string): Promise<{ uid: string; seq: number }[]> {
    const docs = await this.db.readStates.find({ sessionid, readSeq: { $gt: 0 } }, { projection: { uid: 1, readSeq: 1 } }).toArray();
    return docs.map((d) => ({ uid: d.uid, seq: d.readSeq }));
  }

  /** Mutes (until `mutedUntil`, or until turned off) or unmutes the conversation for the user. */
  async setMute(uid: string, sessionid: string, mute: MuteState): Promise<void> {
    const update: UpdateFilter<ReadStateDoc> = { $setOnInsert: { uid, sessionid, readSeq: 0 } };
    if (!mute.muted) update.$unset = { muted: '', mutedUntil: '' };
    else if (mute.mutedUntil !== undefined) update.$set = { muted: true, mutedUntil: mute.mutedUntil };
    else {
      update.$set = { muted: true };
      update.$unset = { mutedUntil: '' };
    }
    await this.db.readStates.updateOne({ _id: idOf(uid, sessionid) }, update, { upsert: true });
  }

  /** Which of `uids` have the conversation muted at `now`. */
  async mutedAmong(sessionid: string, uids: string[], now = Date.now()): Promise<Set<string>> {
    if (uids.length === 0) return new Set();
    const docs = await this.db.readStates
      .find(
        { sessionid, uid: { $in: uids }, muted: true, $or: [{ mutedUntil: { $exists: false } }, { mutedUntil: { $gt: now } }] },
        { projection: { uid: 1 } },
      )
      .toArray();
    return new Set(docs.map((d) => d.uid));
  }

  /**
   * Messages after `readSeq` the user did not send, neither change events nor deleted, and of
   * those the ones mentioning the user or `all`.
   */
  async unreadCounts(uid: string, sessionid: string, readSeq: number): Promise<UnreadCounts> {
    const unreadFilter: Filter<MessageDoc> = {
      sessionid,
      seq: { $gt: readSeq },
      senduid: { $ne: uid },
      change: { $exists: false },
      deleted: { $ne: true },
    };
    const [unread, unreadMentions] = await Promise.all([
      this.db.messages.countDocuments(unreadFilter),
      this.db.messages.countDocuments({ ...unreadFilter, mentions: { $in: [uid, MENTION_ALL] } }),
    ]);
    return { unread, unreadMentions };
  }

  /** Which of `uids` turned read receipts off (they neither send nor see them). */
  async receiptsOffAmong(uids: string[]): Promise<Set<string>> {
    const ids = uids.filter((uid) => ObjectId.isValid(uid)).map((uid) => new ObjectId(uid));
    if (ids.length === 0) return new Set();
    const docs = await this.db.users.find({ _id: { $in: ids }, readReceipts: false }, { projection: { _id: 1 } }).toArray();
    return new Set(docs.map((d) => d._id.toHexString()));
  }

  /** The conversation's highest seq (messages and change events), 0 when it has none. */
  async headSeq(sessionid: string): Promise<number> {
    const [last] = await this.db.conversationLog.find({ sessionid }, { projection: { seq: 1 } }).sort({ seq: -1 }).limit(1).toArray();
    return last?.seq ?? 0;
  }
}
