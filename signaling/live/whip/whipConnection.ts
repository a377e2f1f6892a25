/** A WHIP stream's connection id (LiveStream.publisherSocketId) starts so: never a socket id. */
export const WHIP_CONNECTION_PREFIX = 'whip:';

/** Whether a stream is published by an encoder over WHIP (no socket negotiates it). */
export function isWhipStream(stream: { publisherSocketId: string | null }): boolean {
  return stream.publisherSocketId?.startsWith(WHIP_CONNECTION_PREFIX) ?? false;
}
