import { DeniedError, DomainError, ErrorKind, fixedError } from '../errors/DomainError';
import { ErrorCode } from '../protocol/errors';

export { MediaUnavailableError } from '../media-rooms/mediaRoomErrors';

/** `call_not_found` (404): it ended, or never existed. */
export class CallNotFoundError extends fixedError(ErrorKind.NotFound, ErrorCode.CallNotFound, 'no such call (it ended, or never existed)') {}

/** `not_member` (403): not in the call's conversation, or not (yet) in the call. */
export class CallNotMemberError extends DeniedError {
  constructor(message = 'you are not a member of this conversation') {
    super(ErrorCode.NotMember, message);
  }
}

/** `rate_limited` (429): CALL_START_RATE_PER_MINUTE. */
export class CallStartRateError extends fixedError(ErrorKind.Limited, ErrorCode.RateLimited, 'too many calls started; wait a moment and try again') {}

/** `too_many_calls` (409, retryable): CALLS_PER_USER calls started and still going. */
export class TooManyCallsError extends DomainError {
  constructor(callsPerUser: number) {
    super(ErrorCode.TooManyCalls, `you already have ${callsPerUser} call${callsPerUser === 1 ? '' : 's'} going; end one first`, ErrorKind.Conflict, true);
  }
}

/** `unavailable` (409, retryable): two starts in one conversation raced too long. */
export class CallStartRaceError extends DomainError {
  constructor() {
    super(ErrorCode.Unavailable, 'another call is starting in this conversation; try again', ErrorKind.Conflict, true);
  }
}

