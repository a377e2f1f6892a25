import type { Database } from './Database';
import type { MessageDoc } from './documents';

/** Reads of stored messages: history pages (S14) and everything after a cursor (S13). Writes go through MessageBatcher. */
export class MessageStore {
  constructor(private readonly db: Database) {}

  /** Newest first, strictly before `before` (a seq) when given. */
  history(sessionid: string, limit: number, before?: number): Promise<MessageDoc[]> {
    const filter = before === undefined ? { sessionid } : { sessionid, seq: { $lt: before } };
    return this.db.messages.find(filter).sort({ seq: -1 }).limit(limit).toArray();
  }

  /** Oldest first, strictly after `afterSeq`. */
  since(sessionid: string, afterSeq: number, limit: number): Promise<MessageDoc[]> {
    return this.db.messages
      .find({ sessionid, seq: { $gt: afterSeq } })
      .sort({ seq: 1 })
      .limit(limit)
      .toArray();
  }
}
