import { ObjectId, type Filter } from 'mongodb';
import type { Database } from './Database';
import type { MessageDoc } from './documents';

export interface MentionsPage {
  uid: string;
  /** The caller's conversations (checked by the caller). */
  sessionids: string[];
  /** Only messages older than this `dateline` (ms)... */
  before?: number;
  /** ...or, with `beforeId`, also those of exactly `before` with a smaller _id (as in MessageSearch). */
  beforeId?: string;
  limit: number;
}

/**
 * The Mentions view (issue 13): messages that mention a user (or `all`) in their conversations,
 * newest first by (dateline, _id), deleted ones excluded; index { mentions, sessionid, dateline, _id }.
 */
export class MessageMentions {
  constructor(private readonly db: Database) {}

  list(page: MentionsPage): Promise<MessageDoc[]> {
    if (page.sessionids.length === 0) return Promise.resolve([]);
    const filter: Filter<MessageDoc> = {
      mentions: { $in: [page.uid, 'all'] },
      sessionid: { $in: page.sessionids },
      deleted: { $ne: true },
    };
    if (page.before !== undefined && page.beforeId !== undefined && ObjectId.isValid(page.beforeId)) {
      filter.dateline = { $lte: page.before };
      filter.$or = [{ dateline: { $lt: page.before } }, { _id: { $lt: new ObjectId(page.beforeId) } }];
    } else if (page.before !== undefined) {
      filter.dateline = { $lt: page.before };
    }
    return this.db.messages.find(filter).sort({ dateline: -1, _id: -1 }).limit(page.limit).project<MessageDoc>({ terms: 0 }).toArray();
  }
}
