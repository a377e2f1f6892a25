/**
 * Runs one task at a time per user, in this process: a user's concurrent uploads take turns from
 * the quota check to the record it allows, so together they cannot pass a check each alone would.
 */
export class PerUserQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  async run<T>(uid: string, task: () => Promise<T>): Promise<T> {
    const result = (this.tails.get(uid) ?? Promise.resolve()).then(task);
    const tail = result.catch(() => undefined);
    this.tails.set(uid, tail);
    try {
      return await result;
    } finally {
      if (this.tails.get(uid) === tail) this.tails.delete(uid);
    }
  }
}
