import { CommandError } from './CommandError';

interface Waiter {
  owner: symbol;
  resolve: () => void;
  timer: NodeJS.Timeout;
}

/**
 * FIFO mutex that serialises transactions (held from startTransaction to commit/abort) and
 * makes plain writes wait while a transaction is open, so an abort's undo log stays valid.
 */
export class WriteLock {
  private holder: symbol | null = null;
  private readonly queue: Waiter[] = [];

  get held(): boolean {
    return this.holder !== null;
  }

  /** Waits for the lock; rejects with WriteConflict (TransientTransactionError) after timeoutMs. */
  acquire(owner: symbol, timeoutMs: number): Promise<void> {
    if (this.holder === null && this.queue.length === 0) {
      this.holder = owner;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        owner,
        resolve,
        timer: setTimeout(() => {
          const at = this.queue.indexOf(waiter);
          if (at >= 0) this.queue.splice(at, 1);
          reject(
            new CommandError(
              112,
              'WriteConflict',
              `timed out after ${timeoutMs} ms waiting for the transaction lock held by another transaction`,
              {},
              ['TransientTransactionError'],
            ),
          );
        }, timeoutMs),
      };
      this.queue.push(waiter);
    });
  }

  release(owner: symbol): void {
    if (this.holder !== owner) return;
    const next = this.queue.shift();
    if (!next) {
      this.holder = null;
      return;
    }
    clearTimeout(next.timer);
    this.holder = next.owner;
    next.resolve();
  }
}
