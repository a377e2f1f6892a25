/**
 * Acknowledged Socket.IO requests as promises, typed by the shared event map: the ack's result
 * resolves; an `{ error }` answer, no connection or no answer in time reject with a RequestError.
 */
import type { Socket } from 'socket.io-client';
import { isErrorBody, type ClientToServerEvents, type ErrorBody, type ServerToClientEvents } from '@protocol';
import { NoAnswer, RequestError } from './requestError';

export { RequestError } from './requestError';

type Events = ClientToServerEvents;
/** Events whose second argument is an ack callback. */
export type AckedEvent = {
  [E in keyof Events]: Parameters<Events[E]>[1] extends ((result: never) => void) | undefined ? E : never;
}[keyof Events];
export type RequestPayload<E extends AckedEvent> = Parameters<Events[E]>[0];
export type RequestResult<E extends AckedEvent> = Exclude<Parameters<NonNullable<Parameters<Events[E]>[1]>>[0], ErrorBody>;

export const REQUEST_TIMEOUT_MS = 12_000;

export function socketRequest<E extends AckedEvent>(
  socket: Socket<ServerToClientEvents, ClientToServerEvents> | null,
  event: E,
  payload: RequestPayload<E>,
  timeoutMs = REQUEST_TIMEOUT_MS,
): Promise<RequestResult<E>> {
  return new Promise<RequestResult<E>>((resolve, reject) => {
    if (!socket?.connected) {
      reject(new RequestError({ code: NoAnswer.Offline, message: 'Not connected.' }));
      return;
    }
    // the event map's per-event signatures do not survive the generic E: emit through the untyped
    // socket (the same object), and type the answer from the map
    const untyped: Socket = socket;
    untyped.timeout(timeoutMs).emit(event, payload, (err: Error | null, result: unknown) => {
      if (err) reject(new RequestError({ code: NoAnswer.Timeout, message: 'The server did not answer.' }));
      else if (isErrorBody(result)) reject(RequestError.fromAnswer(result, 0, 'The request failed.'));
      else resolve(result as RequestResult<E>);
    });
  });
}
