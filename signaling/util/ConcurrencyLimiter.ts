/** At most `max` concurrent operations per key, in memory, per process. */
export class ConcurrencyLimiter {
  private readonly active = new Map<string, number>();

  constructor(private readonly max: number) {}

  /** A release function when a slot is free, null when the key is at its limit. */
  acquire(key: string): (() => void) | null {
    const current = this.active.get(key) ?? 0;
    if (current >= this.max) return null;
    this.active.set(key, current + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.active.get(key) ?? 1) - 1;
      if (left <= 0) this.active.delete(key);
      else this.active.set(key, left);
    };
  }
}
