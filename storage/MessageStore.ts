import { ObjectId } from 'mongodb';
import type { Database } from './Database';
import type { ConversationLogDoc, MessageChangeDoc, MessageDoc } from './documents';

/** A page of history carries at most this many membership lines (a burst of joins between two messages). */
const MEMBER_EVENTS_MAX = 200;

/** Only messages, not the change events stored beside them (S24). */
const MESSAGES_ONLY = { change: { $exists: false } } as const;

/**
 * Reads of stored messages: history pages (S14), everything after a cursor (S13), and the
 * conversation's whole log (messages and change events) for sync. Writes go through MessageBatcher.
 */
export class MessageStore {
  constructor(private readonly db: Database) {}

  /** Newest first, strictly before `before` (a seq) when given. */
  history(sessionid: string, limit: number, before?: number): Promise<MessageDoc[]> {
    const filter = before === undefined ? { sessionid, ...MESSAGES_ONLY } : { sessionid, seq: { $lt: before }, ...MESSAGES_ONLY };
    return this.db.messages.find(filter).sort({ seq: -1 }).limit(limit).toArray();
  }

  /** Messages oldest first, strictly after `afterSeq`. */
  since(sessionid: string, afterSeq: number, limit: number): Promise<MessageDoc[]> {
    return this.db.messages
      .find({ sessionid, seq: { $gt: afterSeq }, ...MESSAGES_ONLY })
      .sort({ seq: 1 })
      .limit(limit)
      .toArray();
  }

  /** Messages and change events, oldest first, strictly after `afterSeq`: every seq once. */
  logSince(sessionid: string, afterSeq: number, limit: number): Promise<ConversationLogDoc[]> {
    return this.db.conversationLog.find({ sessionid, seq: { $gt: afterSeq } }).sort({ seq: 1 }).limit(limit).toArray();
  }

  /** Membership events (join, leave...) strictly between two seqs, oldest first: the lines among a history page. */
  memberEventsBetween(sessionid: string, afterSeq: number, beforeSeq?: number): Promise<MessageChangeDoc[]> {
    const seq = beforeSeq === undefined ? { $gt: afterSeq } : { $gt: afterSeq, $lt: beforeSeq };
    return this.db.messageChanges.find({ sessionid, seq, 'change.kind': 'member' }).sort({ seq: 1 }).limit(MEMBER_EVENTS_MAX).toArray();
  }

  /** One message by id (null for an unknown id or a change event). */
  async get(msgid: string): Promise<MessageDoc | null> {
    if (!ObjectId.isValid(msgid)) return null;
    return this.db.messages.findOne({ _id: new ObjectId(msgid), ...MESSAGES_ONLY });
  }

  async getMany(msgids: string[]): Promise<MessageDoc[]> {
    const ids = msgids.filter((id) => ObjectId.isValid(id)).map((id) => new ObjectId(id));
    if (ids.length === 0) return [];
    return this.db.messages.find({ _id: { $in: ids }, ...MESSAGES_ONLY }).toArray();
  }
}
