import { CommandError } from './CommandError';
import { WriteLock } from './WriteLock';
import type { ChangeStreamHub } from './ChangeStreamHub';
import type { ChangeEventDraft, DevMongoLogger, JournalRecord } from './DevMongoServerTypes';
import type { Journal } from './Journal';

export interface ActiveTransaction {
  sessionKey: string;
  txnNumber: number;
  owner: symbol;
  records: JournalRecord[];
  undo: Array<() => void>;
  events: ChangeEventDraft[];
  connectionId: number;
  lastActivity: number;
}

const REMEMBERED_COMMITS = 10_000;

/**
 * Serialised multi-document transactions on the single node: one transaction holds the write
 * lock at a time, its writes are applied in place with an undo log, and its journal records and
 * change events are released only at commit.
 */
export class TransactionManager {
  readonly lock = new WriteLock();
  private readonly active = new Map<string, ActiveTransaction>();
  private readonly committed = new Map<string, number>();

  constructor(
    private readonly journal: Journal | null,
    private readonly hub: ChangeStreamHub,
    private readonly options: { lockTimeoutMs: number; lifetimeMs: number; logger: DevMongoLogger },
  ) {}

  static noSuchTransaction(txnNumber: number): CommandError {
    return new CommandError(
      251,
      'NoSuchTransaction',
      `Transaction with { txnNumber: ${txnNumber} } has been aborted or does not exist`,
      {},
      ['TransientTransactionError'],
    );
  }

  async begin(sessionKey: string, txnNumber: number, connectionId: number): Promise<ActiveTransaction> {
    const previous = this.active.get(sessionKey);
    if (previous) this.abortTxn(previous, 'superseded by a newer transaction on the same session');
    const owner = Symbol(`txn ${sessionKey}:${txnNumber}`);
    await this.lock.acquire(owner, this.options.lockTimeoutMs);
    const txn: ActiveTransaction = {
      sessionKey,
      txnNumber,
      owner,
      records: [],
      undo: [],
      events: [],
      connectionId,
      lastActivity: Date.now(),
    };
    this.active.set(sessionKey, txn);
    return txn;
  }

  /** The open transaction for a command that continues one. */
  continue(sessionKey: string, txnNumber: number, connectionId: number): ActiveTransaction {
    const txn = this.active.get(sessionKey);
    if (!txn || txn.txnNumber !== txnNumber) throw TransactionManager.noSuchTransaction(txnNumber);
    txn.connectionId = connectionId;
    txn.lastActivity = Date.now();
    return txn;
  }

  commit(sessionKey: string, txnNumber: number): void {
    const txn = this.active.get(sessionKey);
    if (!txn || txn.txnNumber !== txnNumber) {
      // A retried commit of an already committed transaction succeeds, as on mongod.
      if (this.committed.get(sessionKey) === txnNumber) return;
      throw TransactionManager.noSuchTransaction(txnNumber);
    }
    if (txn.records.length > 0) this.journal?.append({ op: 'txn', ops: txn.records });
    this.active.delete(sessionKey);
    this.committed.set(sessionKey, txnNumber);
    if (this.committed.size > REMEMBERED_COMMITS) {
      const oldest = this.committed.keys().next().value;
      if (oldest !== undefined) this.committed.delete(oldest);
    }
    this.lock.release(txn.owner);
    for (const event of txn.events) this.hub.publish(event);
  }

  abort(sessionKey: string, txnNumber: number): void {
    const txn = this.active.get(sessionKey);
    if (!txn || txn.txnNumber !== txnNumber) throw TransactionManager.noSuchTransaction(txnNumber);
    this.abortTxn(txn, 'abortTransaction');
  }

  abortTxn(txn: ActiveTransaction, reason: string): void {
    if (this.active.get(txn.sessionKey) !== txn) return;
    for (let i = txn.undo.length - 1; i >= 0; i--) txn.undo[i]();
    this.active.delete(txn.sessionKey);
    this.lock.release(txn.owner);
    this.options.logger.debug?.({ session: txn.sessionKey, txnNumber: txn.txnNumber, reason }, 'devmongo transaction aborted');
  }

  abortForConnection(connectionId: number): void {
    for (const txn of [...this.active.values()]) {
      if (txn.connectionId === connectionId) this.abortTxn(txn, 'client disconnected');
    }
  }

  abortForSessions(sessionKeys: string[]): void {
    for (const key of sessionKeys) {
      const txn = this.active.get(key);
      if (txn) this.abortTxn(txn, 'session ended');
    }
  }

  abortAll(reason: string): void {
    for (const txn of [...this.active.values()]) this.abortTxn(txn, reason);
  }

  /** Aborts transactions abandoned for longer than the lifetime limit. */
  sweepExpired(now: number): void {
    for (const txn of [...this.active.values()]) {
      if (now - txn.lastActivity > this.options.lifetimeMs) this.abortTxn(txn, 'transaction lifetime exceeded');
    }
  }

  /** Runs a non-transactional write once no transaction holds the lock. */
  async runAutocommit<T>(fn: () => T | Promise<T>): Promise<T> {
    const owner = Symbol('autocommit');
    await this.lock.acquire(owner, this.options.lockTimeoutMs);
    try {
      return await fn();
    } finally {
      this.lock.release(owner);
    }
  }
}
