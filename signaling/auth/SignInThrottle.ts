/** Settings of the sign-in throttle (SIGNIN_* in the README). */
export interface SignInThrottleOptions {
  /** Failed sign-ins for one login from one address before that pair must wait. */
  freeFailures: number;
  /** Failed sign-ins for one login from all addresses per 15 minutes before every attempt on it is slowed. */
  slowdownAfter: number;
  /** The delay (ms) every attempt on a login under attack waits. */
  slowdownMs: number;
}

/** The pair's wait after its first failure beyond the free ones; doubles with each further failure. */
const FIRST_WAIT_MS = 1000;
const MAX_WAIT_MS = 15 * 60_000;
/** A pair with no failure for this long starts again from zero. */
const FORGET_AFTER_MS = 60 * 60_000;
const LOGIN_WINDOW_MS = 15 * 60_000;

interface PairState {
  failures: number;
  lastFailure: number;
  until: number;
}

interface LoginState {
  /** Recent failures, decaying linearly by `slowdownAfter` per 15 minutes. */
  failures: number;
  at: number;
}

/**
 * Password guessing is throttled per (login, client address), so an attacker cannot lock the owner
 * out: after a few failures from one address that pair waits, longer after each further failure,
 * while the owner signing in from anywhere else is unaffected. Across all addresses a login under
 * attack is only slowed down (each attempt waits a little), never refused. In memory, per process.
 */
export class SignInThrottle {
  private readonly pairs = new Map<string, PairState>();
  private readonly logins = new Map<string, LoginState>();
  private operations = 0;

  constructor(private readonly options: SignInThrottleOptions) {}

  /** How long (ms) this login must still wait before trying again from this address; 0: it may try now. */
  waitFor(login: string, address: string, now = Date.now()): number {
    const pair = this.pairs.get(pairKey(login, address));
    return pair ? Math.max(0, pair.until - now) : 0;
  }

  /** The slow-down (ms) an attempt on this login waits before its password is checked. */
  slowdownFor(login: string, now = Date.now()): number {
    const state = this.logins.get(login);
    if (!state) return 0;
    return this.decayed(state, now) >= this.options.slowdownAfter ? this.options.slowdownMs : 0;
  }

  /**
   * An attempt about to have its password checked counts as a failure until `succeeded` says
   * otherwise, so parallel guesses cannot all slip in before the first of them fails.
   */
  attempt(login: string, address: string, now = Date.now()): void {
    const key = pairKey(login, address);
    const previous = this.pairs.get(key);
    const failures = previous && now - previous.lastFailure < FORGET_AFTER_MS ? previous.failures + 1 : 1;
    const beyond = failures - this.options.freeFailures;
    const until = beyond >= 0 ? now + Math.min(MAX_WAIT_MS, FIRST_WAIT_MS * 2 ** Math.min(beyond, 30)) : 0;
    this.pairs.set(key, { failures, lastFailure: now, until });

    const state = this.logins.get(login);
    this.logins.set(login, { failures: (state ? this.decayed(state, now) : 0) + 1, at: now });
    if (++this.operations % 1000 === 0) this.sweep(now);
  }

  /** The right password from this address: its failures are forgotten, and this attempt is no failure. */
  succeeded(login: string, address: string, now = Date.now()): void {
    this.pairs.delete(pairKey(login, address));
    const state = this.logins.get(login);
    if (state) this.logins.set(login, { failures: Math.max(0, this.decayed(state, now) - 1), at: now });
  }

  private decayed(state: LoginState, now: number): number {
    const drained = ((now - state.at) / LOGIN_WINDOW_MS) * this.options.slowdownAfter;
    return Math.max(0, state.failures - drained);
  }

  /** Keeps the maps bounded by recently active logins and addresses. */
  private sweep(now: number): void {
    for (const [key, pair] of this.pairs) if (now - pair.lastFailure >= FORGET_AFTER_MS && pair.until <= now) this.pairs.delete(key);
    for (const [key, state] of this.logins) if (this.decayed(state, now) === 0) this.logins.delete(key);
  }
}

function pairKey(login: string, address: string): string {
  return `${login}\u0000${address}`;
}
