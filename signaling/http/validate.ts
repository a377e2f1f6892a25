import type { ZodType } from 'zod';
import { invalidInput } from '../errors/errorAnswer';

/** Parses input at the edge; a bad one is a 400 invalid_input naming the field. */
export function validate<T>(schema: ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input ?? {});
  if (!result.success) throw invalidInput(result.error);
  return result.data;
}
