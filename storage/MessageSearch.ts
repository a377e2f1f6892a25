import { ObjectId, type Filter } from 'mongodb';
import type { Database } from './Database';
import type { MessageDoc } from './documents';
import { parseSearchQuery } from './searchTerms';

export interface MessageSearchQuery {
  /** The user's words. */
  text: string;
  /** Conversations to look in (the caller's, checked by the caller). */
  sessionids: string[];
  /** Only messages older than this `dateline` (ms)... */
  before?: number;
  /**
   * ...or, with `beforeId` (a msgid), also those of exactly `before` whose _id is smaller: the
   * tiebreak that pages messages stored in the same millisecond without gaps or duplicates.
   */
  beforeId?: string;
  limit: number;
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Full-text search over stored messages (issue 13), newest first by (dateline, _id). Uses only
 * documented operators so the development stand-in and MongoDB answer alike: `$all` over the
 * query's terms, an anchored `$regex` per prefix (an index range on MongoDB), `$in` over the
 * conversations and a range on dateline; index { terms, sessionid, dateline, _id }, whose order is the sort's.
 */
export class MessageSearch {
  constructor(private readonly db: Database) {}

  async search(query: MessageSearchQuery): Promise<MessageDoc[]> {
    const { terms, prefixes } = parseSearchQuery(query.text);
    if ((terms.length === 0 && prefixes.length === 0) || query.sessionids.length === 0) return [];
    const filter: Filter<MessageDoc> = { sessionid: query.sessionids.length === 1 ? query.sessionids[0] : { $in: query.sessionids } };
    const prefixConditions = prefixes.map((p) => ({ terms: { $regex: `^${escapeRegExp(p)}` } }));
    if (terms.length > 0) filter.terms = { $all: terms };
    else filter.terms = prefixConditions.shift()!.terms;
    const and: Filter<MessageDoc>[] = [...prefixConditions];
    if (query.before !== undefined && query.beforeId !== undefined && ObjectId.isValid(query.beforeId)) {
      filter.dateline = { $lte: query.before };
      and.push({ $or: [{ dateline: { $lt: query.before } }, { _id: { $lt: new ObjectId(query.beforeId) } }] });
    } else if (query.before !== undefined) {
      filter.dateline = { $lt: query.before };
    }
    // Deleted messages (a `deleted` flag, when set) are never found.
    filter.deleted = { $ne: true };
    if (and.length) filter.$and = and;
    return this.db.messages.find(filter).sort({ dateline: -1, _id: -1 }).limit(query.limit).project<MessageDoc>({ terms: 0 }).toArray();
  }
}
