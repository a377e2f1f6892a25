import type { ErrorCode } from '../protocol/errors';

/**
 * What kind of failure a domain error is, independent of any transport: the one mapper
 * (errorAnswer.ts) turns a kind into an HTTP status, and a socket ack carries only code and message.
 */
export const ErrorKind = {
  /** The request itself is wrong (bad payload, impossible operation). */
  Invalid: 'invalid',
  /** No valid credentials. */
  Unauthenticated: 'unauthenticated',
  /** Authenticated, but not allowed (not a member, not the owner, a wrong password). */
  Denied: 'denied',
  NotFound: 'not_found',
  /** The current state forbids it (already live, not online). */
  Conflict: 'conflict',
  TooLarge: 'too_large',
  /** A rate or count limit; the caller may try again later. */
  Limited: 'limited',
  /** A dependency (database, media servers) is down; the caller may try again. */
  Unavailable: 'unavailable',
  Internal: 'internal',
} as const;
export type ErrorKind = (typeof ErrorKind)[keyof typeof ErrorKind];

/**
 * An error thrown by a service: a machine code from PROTOCOL.md's list, a kind, and whether a
 * retry may succeed. Services never know about HTTP statuses or acks.
 */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly kind: ErrorKind,
    readonly retryable = kind === ErrorKind.Limited || kind === ErrorKind.Unavailable,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class InvalidRequestError extends DomainError {
  constructor(message: string, code: ErrorCode = 'invalid_input') {
    super(code, message, ErrorKind.Invalid);
  }
}

export class NotAuthenticatedError extends DomainError {
  constructor(code: ErrorCode, message: string) {
    super(code, message, ErrorKind.Unauthenticated);
  }
}

export class DeniedError extends DomainError {
  constructor(code: ErrorCode, message: string) {
    super(code, message, ErrorKind.Denied);
  }
}

export class NotFoundError extends DomainError {
  constructor(code: ErrorCode, message: string) {
    super(code, message, ErrorKind.NotFound);
  }
}

export class ConflictError extends DomainError {
  constructor(code: ErrorCode, message: string) {
    super(code, message, ErrorKind.Conflict);
  }
}

export class TooLargeError extends DomainError {
  constructor(message: string, code: ErrorCode = 'too_large') {
    super(code, message, ErrorKind.TooLarge);
  }
}

/** `rate_limited` (or a named count limit), retryable. */
export class LimitError extends DomainError {
  constructor(message: string, code: ErrorCode = 'rate_limited') {
    super(code, message, ErrorKind.Limited);
  }
}

export class UnavailableError extends DomainError {
  constructor(message: string, code: ErrorCode = 'unavailable') {
    super(code, message, ErrorKind.Unavailable);
  }
}

/**
 * The base of a named error that always carries the same code and message:
 * `export class BlockedError extends fixedError(ErrorKind.Denied, ErrorCode.Blocked, '…') {}`
 * (each class keeps its own name, so callers and logs still tell them apart).
 */
export function fixedError(kind: ErrorKind, code: ErrorCode, message: string): new () => DomainError {
  return class extends DomainError {
    constructor() {
      super(code, message, kind);
    }
  };
}
