import { ObjectId, type Collection } from 'mongodb';
import type { Database } from './Database';

/** A friend request waiting for an answer; `_id` is `<from>:<to>`, so a pair has one per direction. */
export interface FriendRequestDoc {
  _id: string;
  from: string;
  to: string;
  dateline: number;
}

const requestId = (from: string, to: string) => `${from}:${to}`;
const oid = (uid: string) => new ObjectId(uid);

/**
 * Friendships and friend requests (S26). Friends are the original `users.friends` list, kept on
 * both users; requests have their own collection. Who may do what is FriendService's.
 */
export class FriendStore {
  private readonly requests: Collection<FriendRequestDoc>;

  constructor(private readonly db: Database) {
    this.requests = db.db.collection<FriendRequestDoc>('friendrequests');
  }

  static async ensureIndexes(db: Database): Promise<void> {
    await db.db.collection<FriendRequestDoc>('friendrequests').createIndexes([{ key: { to: 1, dateline: -1 } }, { key: { from: 1, dateline: -1 } }]);
  }

  async friendsOf(uid: string): Promise<string[]> {
    const user = await this.db.users.findOne({ _id: oid(uid) }, { projection: { friends: 1 } });
    return user?.friends ?? [];
  }

  async areFriends(a: string, b: string): Promise<boolean> {
    return (await this.db.users.countDocuments({ _id: oid(a), friends: b }, { limit: 1 })) > 0;
  }

  /** Requests others sent to `uid`, newest first. */
  async incoming(uid: string): Promise<FriendRequestDoc[]> {
    return this.requests.find({ to: uid }).sort({ dateline: -1 }).limit(1000).toArray();
  }

  /** Requests `uid` sent, newest first. */
  async outgoing(uid: string): Promise<FriendRequestDoc[]> {
    return this.requests.find({ from: uid }).sort({ dateline: -1 }).limit(1000).toArray();
  }

  async hasRequest(from: string, to: string): Promise<boolean> {
    return (await this.requests.countDocuments({ _id: requestId(from, to) }, { limit: 1 })) > 0;
  }

  /** Stores a request; false when it was already there. */
  async addRequest(from: string, to: string): Promise<boolean> {
    const result = await this.requests.updateOne(
      { _id: requestId(from, to) },
      { $setOnInsert: { from, to, dateline: Date.now() } },
      { upsert: true },
    );
    return result.upsertedCount > 0;
  }

  /** Removes a request; false when there was none. */
  async removeRequest(from: string, to: string): Promise<boolean> {
    return (await this.requests.deleteOne({ _id: requestId(from, to) })).deletedCount > 0;
  }

  /** Makes the two friends on both sides and drops the requests between them. */
  async befriend(a: string, b: string): Promise<void> {
    await Promise.all([
      this.db.users.updateOne({ _id: oid(a) }, { $addToSet: { friends: b } }),
      this.db.users.updateOne({ _id: oid(b) }, { $addToSet: { friends: a } }),
    ]);
    await this.requests.deleteMany({ _id: { $in: [requestId(a, b), requestId(b, a)] } });
  }

  /** Ends a friendship and drops the requests between the two; false when there was nothing. */
  async sever(a: string, b: string): Promise<boolean> {
    const [left, right, requests] = await Promise.all([
      this.db.users.updateOne({ _id: oid(a), friends: b }, { $pull: { friends: b } }),
      this.db.users.updateOne({ _id: oid(b), friends: a }, { $pull: { friends: a } }),
      this.requests.deleteMany({ _id: { $in: [requestId(a, b), requestId(b, a)] } }),
    ]);
    return left.modifiedCount + right.modifiedCount + requests.deletedCount > 0;
  }
}
