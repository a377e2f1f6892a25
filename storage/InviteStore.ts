import type { Collection } from 'mongodb';
import type { Database } from './Database';

/** An invite link of a group; `_id` is its code (128 random bits, base64url). */
export interface InviteDoc {
  _id: string;
  sessionid: string;
  createdBy: string;
  dateline: number;
  expiresAt: number;
  /** When the record goes (a while after expiry, so a late visitor still hears "expired"). */
  purgeAt: Date;
}

/** Expired links are remembered this long before the TTL index removes them. */
const KEEP_EXPIRED_MS = 30 * 24 * 3600 * 1000;

/** Invite links (S26); who may make, list and revoke them is InviteService's. */
export class InviteStore {
  private readonly invites: Collection<InviteDoc>;

  constructor(db: Database) {
    this.invites = db.db.collection<InviteDoc>('invites');
  }

  static async ensureIndexes(db: Database): Promise<void> {
    await db.db.collection<InviteDoc>('invites').createIndexes([
      { key: { sessionid: 1, expiresAt: -1 } },
      { key: { purgeAt: 1 }, expireAfterSeconds: 0 },
    ]);
  }

  async create(invite: Omit<InviteDoc, 'purgeAt'>): Promise<InviteDoc> {
    const doc: InviteDoc = { ...invite, purgeAt: new Date(invite.expiresAt + KEEP_EXPIRED_MS) };
    await this.invites.insertOne(doc);
    return doc;
  }

  get(code: string): Promise<InviteDoc | null> {
    return this.invites.findOne({ _id: code });
  }

  /** A group's links that still work, newest first. */
  active(sessionid: string, now = Date.now()): Promise<InviteDoc[]> {
    return this.invites.find({ sessionid, expiresAt: { $gt: now } }).sort({ dateline: -1 }).limit(1000).toArray();
  }

  /** Revoking deletes the link: its code then answers as unknown. False when the group has no such link. */
  async revoke(sessionid: string, code: string): Promise<boolean> {
    return (await this.invites.deleteOne({ _id: code, sessionid })).deletedCount > 0;
  }
}
