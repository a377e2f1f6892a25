import type { Collection } from 'mongodb';
import type { Database } from './Database';

/** `blocker` blocked `blocked`; `_id` is `<blocker>:<blocked>`. */
export interface BlockDoc {
  _id: string;
  blocker: string;
  blocked: string;
  dateline: number;
}

const blockId = (blocker: string, blocked: string) => `${blocker}:${blocked}`;

/** Who blocked whom (S26); what a block refuses is BlockService's. */
export class BlockStore {
  private readonly records: Collection<BlockDoc>;

  constructor(db: Database) {
    this.records = db.db.collection<BlockDoc>('blocks');
  }

  static async ensureIndexes(db: Database): Promise<void> {
    await db.db.collection<BlockDoc>('blocks').createIndexes([{ key: { blocker: 1, dateline: -1 } }]);
  }

  /** Stores a block; false when it was already there. */
  async block(blocker: string, blocked: string): Promise<boolean> {
    const result = await this.records.updateOne(
      { _id: blockId(blocker, blocked) },
      { $setOnInsert: { blocker, blocked, dateline: Date.now() } },
      { upsert: true },
    );
    return result.upsertedCount > 0;
  }

  async unblock(blocker: string, blocked: string): Promise<boolean> {
    return (await this.records.deleteOne({ _id: blockId(blocker, blocked) })).deletedCount > 0;
  }

  /** Users `blocker` blocked, most recent first. */
  async blockedBy(blocker: string): Promise<string[]> {
    const docs = await this.records.find({ blocker }).sort({ dateline: -1 }).limit(1000).toArray();
    return docs.map((d) => d.blocked);
  }

  async blocks(blocker: string, blocked: string): Promise<boolean> {
    return (await this.records.countDocuments({ _id: blockId(blocker, blocked) }, { limit: 1 })) > 0;
  }

  /** Whether either of the two blocked the other. */
  async between(a: string, b: string): Promise<boolean> {
    return (await this.records.countDocuments({ _id: { $in: [blockId(a, b), blockId(b, a)] } }, { limit: 1 })) > 0;
  }
}
