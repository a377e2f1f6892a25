import { Timestamp } from 'bson';
import { CommandError } from './CommandError';
import type { ChangeEventDraft, Doc } from './DevMongoServerTypes';

export interface StampedChange extends ChangeEventDraft {
  seq: number;
  clusterTime: Timestamp;
  wallTime: Date;
}

const RETAINED_EVENTS = 10_000;

/**
 * In-memory oplog substitute: every committed change gets a sequence number and cluster time,
 * at least the last RETAINED_EVENTS are kept for resuming, and getMore calls can wait for the next one.
 * Resume tokens are `{ _data: <16 hex digits of seq> }`.
 */
export class ChangeStreamHub {
  private readonly events: StampedChange[] = [];
  private seq = 0;
  private lastSecond = 0;
  private increment = 0;
  private waiters = new Set<() => void>();

  get currentSeq(): number {
    return this.seq;
  }

  /** A monotonically increasing cluster time, also used as operationTime in replies. */
  now(): Timestamp {
    const second = Math.floor(Date.now() / 1000);
    if (second > this.lastSecond) {
      this.lastSecond = second;
      this.increment = 0;
    }
    this.increment += 1;
    return new Timestamp({ t: this.lastSecond, i: this.increment });
  }

  publish(draft: ChangeEventDraft): void {
    this.seq += 1;
    this.events.push({ ...draft, seq: this.seq, clusterTime: this.now(), wallTime: new Date() });
    // Trimmed in bulk: dropping one event per publish would move the whole array every time.
    if (this.events.length >= 2 * RETAINED_EVENTS) this.events.splice(0, this.events.length - RETAINED_EVENTS);
    const waiters = this.waiters;
    this.waiters = new Set();
    for (const wake of waiters) wake();
  }

  static token(seq: number): Doc {
    return { _data: seq.toString(16).padStart(16, '0') };
  }

  static parseToken(token: unknown): number {
    const data = (token as Doc | null)?._data;
    if (typeof data !== 'string' || !/^[0-9a-f]{16}$/.test(data)) {
      throw new CommandError(260, 'InvalidResumeToken', 'invalid resume token');
    }
    return parseInt(data, 16);
  }

  /** Validates that resuming after `seq` is still possible. */
  assertResumable(seq: number): void {
    const oldest = this.events.length > 0 ? this.events[0].seq : this.seq + 1;
    if (seq > this.seq) throw new CommandError(260, 'InvalidResumeToken', 'resume token is from the future');
    if (seq < oldest - 1) {
      throw new CommandError(286, 'ChangeStreamHistoryLost', 'resume point may no longer be in the change history');
    }
  }

  /** The sequence just before the first event at or after `ts`. */
  seqBeforeTime(ts: Timestamp): number {
    const first = this.events.find((e) => e.clusterTime.compare(ts) >= 0);
    return first ? first.seq - 1 : this.seq;
  }

  eventsAfter(seq: number): StampedChange[] {
    if (seq >= this.seq || this.events.length === 0) return [];
    // Retained events have consecutive sequence numbers.
    return this.events.slice(Math.max(0, seq + 1 - this.events[0].seq));
  }

  /** Resolves when a new event is published or after `ms`. */
  waitForEvent(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.waiters.add(wake);
    });
  }

  /** Wakes every waiting getMore (used at shutdown). */
  wakeAll(): void {
    const waiters = this.waiters;
    this.waiters = new Set();
    for (const wake of waiters) wake();
  }
}
