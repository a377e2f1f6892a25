import type { Collection } from 'mongodb';
import type { Database } from './Database';
import type { UserSlotDoc } from './documents';
import { isDuplicateKeyError } from './errors';

/**
 * Per-user places of a kind (live streams, calls started), counted across every process and node:
 * each place is one document with a fixed `_id`, so taking one is an insert that two concurrent
 * requests cannot both win, and no count-then-insert race lets a burst of requests past the bound.
 * Places whose process died (no refresh) are taken over once stale.
 */
export class UserSlots {
  private readonly slots: Collection<UserSlotDoc>;

  constructor(
    db: Database,
    private readonly staleMs: number,
  ) {
    this.slots = db.userSlots;
  }

  /** Takes one of the user's `limit` places of `kind` for `holder`; false when every one is held. */
  async claim(uid: string, kind: string, holder: string, limit: number, now = Date.now()): Promise<boolean> {
    for (let n = 0; n < limit; n++) {
      const _id = `${uid}:${kind}:${n}`;
      try {
        await this.slots.insertOne({ _id, uid, kind, holder, heartbeatAt: now });
        return true;
      } catch (err) {
        if (!isDuplicateKeyError(err)) throw err;
      }
      const taken = await this.slots.updateOne({ _id, heartbeatAt: { $lte: now - this.staleMs } }, { $set: { holder, heartbeatAt: now } });
      if (taken.modifiedCount === 1) return true;
    }
    return false;
  }

  /** Frees the places `holder` has (of one kind, or all). */
  async release(holder: string, kind?: string): Promise<void> {
    await this.slots.deleteMany(kind ? { holder, kind } : { holder });
  }

  /** Keeps the holders' places (the process that runs them is alive). */
  async refresh(holders: string[], now = Date.now()): Promise<void> {
    if (!holders.length) return;
    await this.slots.updateMany({ holder: { $in: holders } }, { $set: { heartbeatAt: now } });
  }
}
