import { InvalidRequestError, UnavailableError } from '../errors/DomainError';
import { ErrorCode } from '../protocol/errors';

/** `media_unavailable` (503, retryable): no media server can take the request now. */
export class MediaUnavailableError extends UnavailableError {
  constructor(message: string) {
    super(message, ErrorCode.MediaUnavailable);
  }
}

/** `invalid_input`: a track whose source does not fit its kind (a mic sends audio, a camera or screen video). */
export class SourceKindMismatchError extends InvalidRequestError {
  constructor() {
    super('source: mic is audio, camera and screen are video');
  }
}

export function checkSourceMatchesKind(source: 'mic' | 'camera' | 'screen', kind: 'audio' | 'video'): void {
  if ((source === 'mic') !== (kind === 'audio')) throw new SourceKindMismatchError();
}
