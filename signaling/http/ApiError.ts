import type { Response } from 'express';
import type { ZodError } from 'zod';
import { ErrorCode } from '../protocol/errors';
import { DomainError, ErrorKind } from '../errors/DomainError';
import { invalidInput, type WithHttpStatus } from '../errors/errorAnswer';

/**
 * An error of the HTTP layer itself, with its status: for answers that only HTTP has (a range not
 * satisfiable, an unsupported body encoding, an expired signed URL). Services throw DomainErrors.
 */
export class ApiError extends DomainError implements WithHttpStatus {
  constructor(
    readonly status: number,
    code: ErrorCode,
    message: string,
    retryable = false,
  ) {
    super(code, message, kindOfStatus(status), retryable);
  }

  /** 429 `rate_limited`, retryable: the caller may try again later. */
  static rateLimited(message: string): ApiError {
    return new ApiError(429, ErrorCode.RateLimited, message, true);
  }

  static invalidInput(error: ZodError): DomainError {
    return invalidInput(error);
  }
}

function kindOfStatus(status: number): ErrorKind {
  if (status === 401) return ErrorKind.Unauthenticated;
  if (status === 403) return ErrorKind.Denied;
  if (status === 404) return ErrorKind.NotFound;
  if (status === 409) return ErrorKind.Conflict;
  if (status === 413) return ErrorKind.TooLarge;
  if (status === 429) return ErrorKind.Limited;
  if (status === 503) return ErrorKind.Unavailable;
  return status >= 500 ? ErrorKind.Internal : ErrorKind.Invalid;
}

/** Answers 429 `rate_limited` with `Retry-After` (whole seconds, at least 1). */
export function rateLimitedFor(res: Response, seconds: number, message: string): never {
  res.set('Retry-After', String(Math.max(1, Math.ceil(seconds))));
  throw ApiError.rateLimited(message);
}
