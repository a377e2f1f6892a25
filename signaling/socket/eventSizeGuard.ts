import { ErrorCode, type ErrorBody } from '../protocol/errors';
import type { ChatSocket } from './ChatSocket';

/**
 * The most any client event may carry (bytes of its arguments as JSON; binary counted by length).
 * Every event of the protocol fits well within it (it was the frame limit before frames up to
 * SOCKET_MAX_FRAME_BYTES were read); message:send's own limit (16 KB of text) is checked by its handler.
 */
export const EVENT_MAX_BYTES = 64 * 1024;

/** The size of an event's arguments. */
function sizeOf(args: unknown[]): number {
  let binary = 0;
  const json = JSON.stringify(args, (_key, value: unknown) => {
    if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) {
      binary += (value as ArrayBuffer | ArrayBufferView).byteLength;
      return null;
    }
    // Buffer.toJSON runs before the replacer sees it.
    if (typeof value === 'object' && value !== null && (value as { type?: unknown }).type === 'Buffer' && Array.isArray((value as { data?: unknown }).data)) {
      binary += (value as { data: unknown[] }).data.length;
      return null;
    }
    return value;
  });
  return binary + Buffer.byteLength(json ?? '');
}

/**
 * A packet middleware, installed on each socket during its handshake: an event larger than
 * EVENT_MAX_BYTES is not handled; its ack, if any, answers `too_large`, and the connection stays.
 */
export function guardEventSizes(socket: ChatSocket, next: (err?: Error) => void): void {
  socket.use((packet, nextPacket) => {
    const last = packet[packet.length - 1];
    const ack = typeof last === 'function' ? (last as (body: ErrorBody) => void) : undefined;
    const args = ack ? packet.slice(1, -1) : packet.slice(1);
    const size = sizeOf(args);
    if (size <= EVENT_MAX_BYTES) return nextPacket();
    ack?.({ error: { code: ErrorCode.TooLarge, message: `an event carries at most ${EVENT_MAX_BYTES} bytes (this one: ${size})` } });
  });
  next();
}
