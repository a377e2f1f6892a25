import type { Database } from './Database';
import type { PushSubscriptionDoc } from './documents';

export interface NewPushSubscription {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

/**
 * Web Push subscriptions (issue 13): one per browser (its endpoint, unique), owned by the user who
 * signed in there last, so a device handed to another account notifies only that account.
 */
export class PushSubscriptionStore {
  constructor(private readonly db: Database) {}

  async save(uid: string, sub: NewPushSubscription): Promise<void> {
    await this.db.pushSubscriptions.updateOne(
      { endpoint: sub.endpoint },
      // A new record's _id is the ObjectId the upsert makes.
      { $set: { uid, keys: sub.keys, createdAt: Date.now() } },
      { upsert: true },
    );
  }

  /** Removes the user's subscription of that endpoint; answers whether there was one. */
  async remove(uid: string, endpoint: string): Promise<boolean> {
    return (await this.db.pushSubscriptions.deleteOne({ uid, endpoint })).deletedCount > 0;
  }

  /** The push service said the subscription is gone (404/410). */
  async removeEndpoint(endpoint: string): Promise<void> {
    await this.db.pushSubscriptions.deleteOne({ endpoint });
  }

  forUsers(uids: string[]): Promise<PushSubscriptionDoc[]> {
    if (uids.length === 0) return Promise.resolve([]);
    return this.db.pushSubscriptions.find({ uid: { $in: uids } }).toArray();
  }
}
