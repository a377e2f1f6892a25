import type { ZodType } from 'zod';
import { ackError, invalidInput } from '../errors/errorAnswer';

export function parsePayload<T>(schema: ZodType<T>, payload: unknown): T {
  const result = schema.safeParse(payload);
  if (!result.success) throw invalidInput(result.error);
  return result.data;
}

/**
 * Wraps a handler so a missing ack, a bad payload or a thrown error never crashes the process:
 * every failure is answered as `{ error }` through the ack when there is one.
 */
export function guarded<P, R>(
  run: (payload: P) => Promise<R>,
  onError: (err: unknown) => void,
): (payload: unknown, ack?: unknown) => void {
  return (payload, ack) => {
    const reply = typeof ack === 'function' ? (ack as (r: unknown) => void) : () => undefined;
    // Started inside a promise so a handler that throws before its first await is answered too.
    Promise.resolve()
      .then(() => run(payload as P))
      .then(reply, (err) => {
        const body = ackError(err);
        if (body.error.code === 'internal_error') onError(err);
        reply(body);
      });
  };
}
