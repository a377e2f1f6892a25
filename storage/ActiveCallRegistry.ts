import type { Collection } from 'mongodb';
import type { Database } from './Database';
import { isDuplicateKeyError } from './errors';

interface ActiveCallDoc {
  /** The session id: one active call per conversation, across processes and nodes. */
  _id: string;
  callid: string;
  owner: string;
  since: number;
}

/**
 * Which call is going on in a conversation, kept in MongoDB so two processes (or nodes) starting a
 * call in the same conversation at once agree on one. A record whose owner stopped answering is
 * taken over.
 */
export class ActiveCallRegistry {
  private readonly calls: Collection<ActiveCallDoc>;

  constructor(db: Database) {
    this.calls = db.db.collection<ActiveCallDoc>('activecalls');
  }

  /** Claims the conversation for `callid`; answers the call already there when there is one. */
  async claim(sessionid: string, callid: string, owner: string): Promise<{ claimed: true } | { claimed: false; callid: string }> {
    try {
      await this.calls.insertOne({ _id: sessionid, callid, owner, since: Date.now() });
      return { claimed: true };
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
      const existing = await this.calls.findOne({ _id: sessionid });
      if (!existing) return this.claim(sessionid, callid, owner);
      return { claimed: false, callid: existing.callid };
    }
  }

  /** Replaces a stale record (its owner is gone); false when someone else replaced it first. */
  async takeOver(sessionid: string, staleCallid: string, callid: string, owner: string): Promise<boolean> {
    const res = await this.calls.updateOne({ _id: sessionid, callid: staleCallid }, { $set: { callid, owner, since: Date.now() } });
    return res.modifiedCount === 1;
  }

  /** The call recorded for the conversation, if any (its owner may be gone). */
  async current(sessionid: string): Promise<string | null> {
    return (await this.calls.findOne({ _id: sessionid }))?.callid ?? null;
  }

  async release(sessionid: string, callid: string): Promise<void> {
    await this.calls.deleteOne({ _id: sessionid, callid });
  }
}
