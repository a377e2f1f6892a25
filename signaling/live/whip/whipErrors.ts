import { DomainError, ErrorKind, fixedError, LimitError } from '../../errors/DomainError';
import { ErrorCode } from '../../protocol/errors';

/** `invalid_stream_key` (401): no stream key, a malformed one, or one that was revoked. */
export class InvalidStreamKeyError extends fixedError(ErrorKind.Unauthenticated, ErrorCode.InvalidStreamKey, 'no valid stream key (Authorization: Bearer <stream key>); make one in your profile') {}

/** `not_found` (404): the user has no stream key of that id. */
export class StreamKeyNotFoundError extends fixedError(ErrorKind.NotFound, ErrorCode.NotFound, 'no such stream key') {}

/** `too_many_stream_keys` (429): a user keeps a bounded number of keys. */
export class TooManyStreamKeysError extends LimitError {
  constructor(limit: number) {
    super(`you have ${limit} stream keys already; revoke one first`, ErrorCode.TooManyStreamKeys);
  }
}

/** `already_live` (409): a stream of this key runs already (on any node). */
export class KeyAlreadyLiveError extends fixedError(ErrorKind.Conflict, ErrorCode.AlreadyLive, 'a stream of this key is live already; end it (DELETE its resource) first') {}

/** `invalid_input` (400): an SDP offer that cannot be taken (no usable codec, no fingerprint...). */
export class SdpOfferError extends DomainError {
  constructor(message: string) {
    super(ErrorCode.InvalidInput, `SDP offer: ${message}`, ErrorKind.Invalid);
  }
}

/** `not_found` (404): no WHIP resource of that id (the stream ended, or never was). */
export class WhipResourceNotFoundError extends fixedError(ErrorKind.NotFound, ErrorCode.NotFound, 'no such WHIP session (the stream ended, or never existed)') {}
