import { DomainError, ErrorKind } from '../errors/DomainError';
import { ErrorCode } from '../protocol/errors';

/** The socket's online record expired (a long stall): reconnecting writes it again, so a retry may succeed. */
export class NotOnlineError extends DomainError {
  constructor() {
    super(ErrorCode.NotOnline, 'your online record expired; reconnect', ErrorKind.Conflict, true);
  }
}
