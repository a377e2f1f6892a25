/** Waiting in tests: a pause, a step with a time limit, and polling until a probe answers. */
import { errorAt } from './client';

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** `promise`, or an error naming the step when it has not settled within `ms`. */
export async function within<T>(what: string, promise: Promise<T>, ms: number): Promise<T> {
  const callSite = new Error();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(errorAt(callSite, `${what}: not done within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `probe` every `everyMs` until it answers something truthy (a throwing probe counts as not yet). */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 20_000, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      // A probe that never settles must not outlast the deadline.
      const value = await within(`waiting for ${what} (a probe did not settle)`, Promise.resolve().then(probe), Math.max(deadline - Date.now(), everyMs));
      if (value) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
    await sleep(everyMs);
  }
}
