import type { Response } from 'express';
import type { ZodError } from 'zod';
import { ErrorCode, type ErrorBody } from '../protocol/errors';
import { StorageError } from '../../storage/errors';

/** An error with the HTTP status and machine code of PROTOCOL.md's error shape. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryable = false,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.retryable ? { retryable: true } : {}) } };
  }

  /** 429 `rate_limited`, retryable: the caller may try again later. */
  static rateLimited(message: string): ApiError {
    return new ApiError(429, ErrorCode.RateLimited, message, true);
  }

  static invalidInput(error: ZodError): ApiError {
    const issue = error.issues[0];
    const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
    return new ApiError(400, ErrorCode.InvalidInput, `${where}${issue?.message ?? 'invalid input'}`);
  }
}

const storageStatus: Record<string, number> = {
  duplicate_login: 409,
  user_not_found: 404,
  session_not_found: 404,
  not_member: 403,
  forbidden: 403,
  invitation_only: 403,
  invalid_input: 400,
  unavailable: 503,
};

/** Any thrown value as an ApiError; database outages become a retryable 503. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof StorageError) return new ApiError(storageStatus[err.code] ?? 500, err.code, err.message, err.code === 'unavailable');
  const name = (err as { name?: string })?.name ?? '';
  if (/^Mongo(ServerSelection|NetworkError|NetworkTimeout|NotConnected|TopologyClosed|PoolCleared)/.test(name) || /Mongo.*(Network|Timeout)/.test(name)) {
    return new ApiError(503, ErrorCode.Unavailable, 'the database is not reachable; try again', true);
  }
  return new ApiError(500, ErrorCode.Internal, 'internal error');
}

/** Answers 429 `rate_limited` with `Retry-After` (whole seconds, at least 1). */
export function rateLimitedFor(res: Response, seconds: number, message: string): never {
  res.set('Retry-After', String(Math.max(1, Math.ceil(seconds))));
  throw ApiError.rateLimited(message);
}
