import { ErrorKind, fixedError, LimitError } from '../../errors/DomainError';
import { ErrorCode } from '../../protocol/errors';

/** `already_recording` (409): the call is being recorded already. */
export class AlreadyRecordingError extends fixedError(ErrorKind.Conflict, ErrorCode.AlreadyRecording, 'this call is being recorded already') {}

/** `not_recording` (409): nothing to stop. */
export class NotRecordingError extends fixedError(ErrorKind.Conflict, ErrorCode.NotRecording, 'this call is not being recorded') {}

/** `too_many_recordings` (429, retryable): CALL_RECORDINGS_MAX recordings run on this server. */
export class TooManyRecordingsError extends LimitError {
  constructor(max: number) {
    super(`this server records ${max} call${max === 1 ? '' : 's'} already; try again later`, ErrorCode.TooManyRecordings);
  }
}
