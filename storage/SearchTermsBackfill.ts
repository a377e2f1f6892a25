import type { AnyBulkWriteOperation } from 'mongodb';
import type { Logger } from 'pino';
import type { Database } from './Database';
import type { MessageDoc } from './documents';
import { searchableTextOf, searchTermsOf } from './searchTerms';

/** Names the migration in the `migrations` collection; a new tokenizer would get a new name (and recompute every message). */
export const SEARCH_TERMS_MIGRATION = 'message-search-terms-v1';
const BATCH = 500;

/**
 * Gives messages stored before search existed their terms, once per database (recorded in
 * `migrations`). Safe to run on several nodes at once: each update only fills a message still
 * lacking terms, and messages stored meanwhile carry their own.
 */
export class SearchTermsBackfill {
  constructor(
    private readonly db: Database,
    private readonly logger?: Pick<Logger, 'info'>,
  ) {}

  /** Answers how many messages it changed (0 when it had run before). */
  async run(): Promise<number> {
    if (await this.db.migrations.findOne({ _id: SEARCH_TERMS_MIGRATION })) return 0;
    let changed = 0;
    let ops: AnyBulkWriteOperation<MessageDoc>[] = [];
    const flush = async () => {
      if (!ops.length) return;
      const result = await this.db.messages.bulkWrite(ops, { ordered: false });
      changed += result.modifiedCount;
      ops = [];
    };
    const cursor = this.db.messages.find(
      // Change events (S24) share the collection and carry no text of their own.
      { terms: { $exists: false }, change: { $exists: false } },
      { projection: { msgtype: 1, content: 1, 'fileinfo.filename': 1, 'liveinfo.title': 1 } },
    );
    for await (const doc of cursor) {
      ops.push({
        updateOne: { filter: { _id: doc._id, terms: { $exists: false } }, update: { $set: { terms: searchTermsOf(searchableTextOf(doc)) } } },
      });
      if (ops.length >= BATCH) await flush();
    }
    await flush();
    await this.db.migrations.updateOne(
      { _id: SEARCH_TERMS_MIGRATION },
      { $setOnInsert: { doneAt: Date.now(), changed } },
      { upsert: true },
    );
    if (changed) this.logger?.info({ changed }, 'search terms backfilled');
    return changed;
  }
}
