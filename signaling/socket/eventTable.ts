import type { ZodType } from 'zod';
import type { ClientToServerEvents } from '../protocol/events';
import type { ErrorBody } from '../protocol/errors';
import { parsePayload } from './parsePayload';
import type { ChatSocket } from './ChatSocket';
import { sharedListener, type SharedListener } from './sharedListeners';

export type ClientEvent = keyof ClientToServerEvents;
type AckOf<E extends ClientEvent> = NonNullable<Parameters<ClientToServerEvents[E]>[1]>;
/** What the client sends with event E (after validation). */
export type EventPayload<E extends ClientEvent> = Parameters<ClientToServerEvents[E]>[0];
/** What the ack of event E carries when the request succeeds. */
export type EventResult<E extends ClientEvent> = Exclude<Parameters<AckOf<E>>[0], ErrorBody>;

/**
 * One client event: the schema its payload must match and the handler that answers it. The types
 * come from ClientToServerEvents, so a handler whose result drifts from the shared event map does
 * not compile.
 */
export interface EventHandler<E extends ClientEvent> {
  schema: ZodType<EventPayload<E>>;
  handle(socket: ChatSocket, payload: EventPayload<E>): Promise<EventResult<E>>;
}

/** A feature's events, each with its handler: the one place an event is named on the server. */
export type EventTable<E extends ClientEvent> = { [K in E]: EventHandler<K> };

/** A table's events with their listeners, ready to attach to any socket. */
export type TableListeners = ReadonlyArray<readonly [ClientEvent, SharedListener]>;

/**
 * The table as listeners shared by every socket (see sharedListener): each validates its payload,
 * runs the handler and answers through the ack, `{ error }` on any failure.
 */
export function tableListeners<E extends ClientEvent>(table: EventTable<E>, onError: (err: unknown) => void): TableListeners {
  return (Object.keys(table) as E[]).map((event) => {
    const { schema, handle } = table[event] as EventHandler<E>;
    return [event, sharedListener((socket, raw) => handle(socket, parsePayload(schema, raw)), onError)] as const;
  });
}

/** Registers a table's listeners on one socket. */
export function attachListeners(socket: ChatSocket, listeners: TableListeners): void {
  // The listeners answer whatever their event's ack expects (checked in tableListeners' types); the
  // emitter's per-event signatures cannot be named for a runtime list of events.
  const untyped: { on(event: string, listener: SharedListener): unknown } = socket;
  for (const [event, listener] of listeners) untyped.on(event, listener);
}
