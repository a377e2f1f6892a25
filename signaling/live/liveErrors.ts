import { ConflictError, DomainError, ErrorKind, fixedError, InvalidRequestError } from '../errors/DomainError';
import { ErrorCode } from '../protocol/errors';

export { MediaUnavailableError } from '../media-rooms/mediaRoomErrors';

/** `stream_not_found` (404): it ended and its replay is gone, or it never existed. */
export class StreamNotFoundError extends fixedError(ErrorKind.NotFound, ErrorCode.StreamNotFound, 'no such live stream (it ended, or never existed)') {}

/** `not_member` (403): a members-only stream, and not a member of its conversation. */
export class StreamNotMemberError extends fixedError(ErrorKind.Denied, ErrorCode.NotMember, 'this stream is for the members of its conversation') {}

/** `forbidden` (403): only the publisher's connection negotiates and stops. */
export class NotPublisherError extends fixedError(ErrorKind.Denied, ErrorCode.Forbidden, 'only the publisher (from the connection that created it) may do that') {}

/** `unavailable` (503, retryable): LIVE_MAX_STREAMS reached here. */
export class ServerFullError extends fixedError(ErrorKind.Unavailable, ErrorCode.Unavailable, 'this server runs as many live streams as it can; try again later') {}

/** `already_live` (409): a stream running or being prepared stands in the way. */
export class AlreadyLiveError extends ConflictError {
  constructor(message: string) {
    super(ErrorCode.AlreadyLive, message);
  }
}

/** `invalid_input` (409): the stream has its track of that kind already. */
export class TrackTakenError extends DomainError {
  constructor(kind: 'audio' | 'video') {
    super(ErrorCode.InvalidInput, `the stream already has its ${kind} track`, ErrorKind.Conflict);
  }
}

/** `invalid_input` (400): a request that cannot be done as asked. */
export class LiveRequestError extends InvalidRequestError {}

/** `rate_limited` (429): watch requests beyond a few a second. */
export class WatchRateError extends fixedError(ErrorKind.Limited, ErrorCode.RateLimited, 'too many watch requests; slow down') {}
