import { ErrorKind, DomainError } from './DomainError';
import type { ErrorBody, ErrorCode } from '../protocol/errors';

/** Another process's error answer to a request forwarded to it, answered to the client as it came. */
export class RemoteError extends DomainError {
  constructor({ error }: ErrorBody) {
    // The other process answered with a code of PROTOCOL.md's list (through the one mapper).
    super(error.code as ErrorCode, error.message, ErrorKind.Invalid, error.retryable ?? false);
  }
}
