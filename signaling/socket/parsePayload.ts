import type { ZodType } from 'zod';
import { invalidInput } from '../errors/errorAnswer';

/** Checks an inbound payload at the edge: the parsed value, or an `invalid_input` domain error. */
export function parsePayload<T>(schema: ZodType<T>, payload: unknown): T {
  const result = schema.safeParse(payload);
  if (!result.success) throw invalidInput(result.error);
  return result.data;
}
