import type { Collection } from 'mongodb';
import type { Database } from './Database';

/** One stream key (WHIP ingest, S27): only the hash of its secret is kept. */
export interface StreamKeyDoc {
  /** The key id (also the key's visible prefix, so a presented key is found without a scan). */
  _id: string;
  uid: string;
  title: string;
  /** The conversation its streams are announced in; none: a public stream with a chat group of its own. */
  sessionid?: string;
  /** sha256 (hex) of the key's random secret. */
  secretHash: string;
  createdAt: number;
}

/** The `streamkeys` collection: each user's stream keys for encoders (OBS). */
export class StreamKeyStore {
  private readonly keys: Collection<StreamKeyDoc>;

  constructor(db: Database) {
    this.keys = db.db.collection<StreamKeyDoc>('streamkeys');
  }

  async ensureIndexes(): Promise<void> {
    await this.keys.createIndexes([{ key: { uid: 1, createdAt: -1 } }]);
  }

  async create(doc: StreamKeyDoc): Promise<void> {
    await this.keys.insertOne(doc);
  }

  async get(keyid: string): Promise<StreamKeyDoc | null> {
    return this.keys.findOne({ _id: keyid });
  }

  /** The user's keys, newest first. */
  async listOf(uid: string, limit = 100): Promise<StreamKeyDoc[]> {
    return this.keys.find({ uid }).sort({ createdAt: -1 }).limit(limit).toArray();
  }

  async countOf(uid: string): Promise<number> {
    return this.keys.countDocuments({ uid });
  }

  /** Removes the user's key; false when the user has no key of that id. */
  async remove(uid: string, keyid: string): Promise<boolean> {
    const res = await this.keys.deleteOne({ _id: keyid, uid });
    return res.deletedCount > 0;
  }
}
