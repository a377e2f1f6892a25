/** Small named errors of the media layer; `code` is the machine code the signaling tier answers with. */
export class MediaError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'MediaError';
  }
}

/** No mediasoup worker can take the request (the pool is closed, starting, or every worker is down). */
export class MediaUnavailableError extends MediaError {
  constructor(message = 'media servers are not available') {
    super('media_unavailable', message);
    this.name = 'MediaUnavailableError';
  }
}

/** The room was closed (its call ended, or its worker died and it is being re-created). */
export class RoomClosedError extends MediaError {
  constructor(roomId: string) {
    super('media_unavailable', `room ${roomId} is closed`);
    this.name = 'RoomClosedError';
  }
}

/** A transport, producer or consumer id the peer does not own. */
export class MediaNotFoundError extends MediaError {
  constructor(what: 'peer' | 'transport' | 'producer' | 'consumer', id: string) {
    super(`${what}_not_found`, `no ${what} ${id}`);
    this.name = 'MediaNotFoundError';
  }
}

/** Bad parameters (mediasoup refused them), or a consume the peer's capabilities cannot receive. */
export class MediaRequestError extends MediaError {
  constructor(message: string) {
    super('invalid_input', message);
    this.name = 'MediaRequestError';
  }
}
