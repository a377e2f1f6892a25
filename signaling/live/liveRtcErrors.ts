import { LimitError, UnavailableError } from '../errors/DomainError';
import { ErrorCode } from '../protocol/errors';

/** `webrtc_full` (429): the stream has LIVE_WEBRTC_VIEWERS real-time viewers; watch its HLS. */
export class WebrtcFullError extends LimitError {
  constructor() {
    super('real-time viewing of this stream is full; watch it over HLS', ErrorCode.WebrtcFull);
  }
}

/** `webrtc_unavailable` (503): real-time viewing is off here, or the stream is not (or no longer) sending. */
export class WebrtcUnavailableError extends UnavailableError {
  constructor(message: string) {
    super(message, ErrorCode.WebrtcUnavailable);
  }
}
