import type { ZodError } from 'zod';
import { MediaError } from '../../media';
import { StorageError } from '../../storage/errors';
import { ErrorCode, type ErrorBody } from '../protocol/errors';
import { DomainError, ErrorKind, InvalidRequestError } from './DomainError';

/** How each kind of failure is answered over HTTP. */
const httpStatusOf: Record<ErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  denied: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  limited: 429,
  unavailable: 503,
  internal: 500,
};

/** The kinds of the storage layer's named errors (storage/errors.ts). */
const storageKindOf: Record<string, ErrorKind> = {
  duplicate_login: ErrorKind.Conflict,
  user_not_found: ErrorKind.NotFound,
  session_not_found: ErrorKind.NotFound,
  not_member: ErrorKind.Denied,
  forbidden: ErrorKind.Denied,
  invitation_only: ErrorKind.Denied,
  invalid_input: ErrorKind.Invalid,
  unavailable: ErrorKind.Unavailable,
};

/** A failed request as its answer: the HTTP status and PROTOCOL.md's error body (also a socket ack's). */
export interface ErrorAnswer {
  status: number;
  body: ErrorBody;
  /** An unexpected failure (a bug or an unknown error): worth logging with its stack. */
  internal: boolean;
}

/** An error that names its HTTP status itself (416, 415...): only HTTP code throws one (ApiError). */
export interface WithHttpStatus {
  readonly status: number;
}

/** A refusal that lifts at a known time (a mute): the answer carries `until`. */
export interface WithUntil {
  readonly until: number;
}

/** The one mapper from anything thrown to the answer a client gets, over HTTP or a socket ack. */
export function errorAnswer(err: unknown): ErrorAnswer {
  const domain = asDomainError(err);
  const status = (domain as Partial<WithHttpStatus>).status ?? httpStatusOf[domain.kind];
  const until = (domain as Partial<WithUntil>).until;
  const body: ErrorBody = {
    error: { code: domain.code, message: domain.message, ...(domain.retryable ? { retryable: true } : {}), ...(until !== undefined ? { until } : {}) },
  };
  return { status, body, internal: domain.kind === ErrorKind.Internal };
}

/** The error body of a failed socket request. */
export function ackError(err: unknown): ErrorBody {
  return errorAnswer(err).body;
}

function asDomainError(err: unknown): DomainError {
  if (err instanceof DomainError) return err;
  if (err instanceof StorageError) return new DomainError(err.code as ErrorCode, err.message, storageKindOf[err.code] ?? ErrorKind.Internal);
  if (err instanceof MediaError) return mediaError(err);
  if (isDatabaseOutage(err)) return new DomainError(ErrorCode.Unavailable, 'the database is not reachable; try again', ErrorKind.Unavailable);
  return new DomainError(ErrorCode.Internal, 'internal error', ErrorKind.Internal);
}

/** The media layer's named errors (media/errors.ts). */
function mediaError(err: MediaError): DomainError {
  if (err.code === 'media_unavailable') return new DomainError(ErrorCode.MediaUnavailable, err.message, ErrorKind.Unavailable);
  if (err.code.endsWith('_not_found')) return new DomainError(ErrorCode.NotFound, err.message, ErrorKind.NotFound);
  if (err.code === 'invalid_input') return new DomainError(ErrorCode.InvalidInput, err.message, ErrorKind.Invalid);
  return new DomainError(ErrorCode.MediaUnavailable, err.message, ErrorKind.Internal);
}

function isDatabaseOutage(err: unknown): boolean {
  const name = (err as { name?: string })?.name ?? '';
  return /^Mongo(ServerSelection|NetworkError|NetworkTimeout|NotConnected|TopologyClosed|PoolCleared)/.test(name) || /Mongo.*(Network|Timeout)/.test(name);
}

/** A payload that does not match its schema, named by the first problem. */
export function invalidInput(error: ZodError): InvalidRequestError {
  const issue = error.issues[0];
  const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
  return new InvalidRequestError(`${where}${issue?.message ?? 'invalid input'}`);
}
