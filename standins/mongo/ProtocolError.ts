/** A framing problem on the socket; the connection is closed rather than answered. */
export class ProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtocolError';
  }
}
