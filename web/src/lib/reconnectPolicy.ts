/**
 * When to try again after a call's media connection broke (LiveKit-style pluggable policy): the
 * policy answers the delay before the next attempt, or null to give up.
 */
export interface ReconnectContext {
  /** Attempts already made (0 before the first). */
  retryCount: number;
  /** Time since the connection broke. */
  elapsedMs: number;
  /** What broke: 'ice', 'socket', 'media' (the server moved the call), ... */
  reason: string;
}

export interface ReconnectPolicy {
  nextRetryDelayInMs(context: ReconnectContext): number | null;
}

/** Quick first tries, then every few seconds, for at most `maxElapsedMs` (a minute by default). */
export class DefaultReconnectPolicy implements ReconnectPolicy {
  constructor(
    private readonly delays: readonly number[] = [0, 300, 1200, 2700, 4800, 7000],
    private readonly maxElapsedMs = 60_000,
  ) {}

  nextRetryDelayInMs({ retryCount, elapsedMs }: ReconnectContext): number | null {
    if (elapsedMs >= this.maxElapsedMs) return null;
    const base = this.delays[Math.min(retryCount, this.delays.length - 1)] ?? 0;
    // a little jitter so the participants of a call do not all retry in step
    return base === 0 ? 0 : Math.round(base * (0.85 + Math.random() * 0.3));
  }
}

let current: ReconnectPolicy = new DefaultReconnectPolicy();

export function reconnectPolicy(): ReconnectPolicy {
  return current;
}

/** Swap the policy (tests, or an app that wants to give up sooner). */
export function setReconnectPolicy(policy: ReconnectPolicy): void {
  current = policy;
}
