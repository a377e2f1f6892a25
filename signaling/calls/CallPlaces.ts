import type { Logger } from 'pino';
import type { Database } from '../../storage/Database';
import { UserSlots } from '../../storage/UserSlots';

/** The kind of a user's places in UserSlots: calls they started and are still ringing or in. */
const CALL_SLOT = 'call';
/** The owner refreshes its calls' places this often; a place not refreshed for SLOT_STALE_MS (its process died) is free. */
const SLOT_REFRESH_MS = 5_000;
const SLOT_STALE_MS = 20_000;

/** Calls each user has started and still rings or is in (CALLS_PER_USER), counted across every node. */
export class CallPlaces {
  private readonly slots: UserSlots;
  private readonly timer: NodeJS.Timeout;

  constructor(db: Database, logger: Logger, ownedCallids: () => string[]) {
    this.slots = new UserSlots(db, SLOT_STALE_MS);
    this.timer = setInterval(() => {
      void this.slots.refresh(ownedCallids()).catch((err) => logger.warn({ err }, "refreshing the calls' places failed"));
    }, SLOT_REFRESH_MS).unref();
  }

  /** Takes one of the user's `limit` places for the call; false when they are all taken. */
  claim(uid: string, callid: string, limit: number): Promise<boolean> {
    return this.slots.claim(uid, CALL_SLOT, callid, limit);
  }

  /** Frees the call's place (never fails: a place not refreshed frees itself). */
  async release(callid: string): Promise<void> {
    await this.slots.release(callid).catch(() => undefined);
  }

  close(): void {
    clearInterval(this.timer);
  }
}
