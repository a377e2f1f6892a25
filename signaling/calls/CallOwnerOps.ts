import type { ZodType } from 'zod';
import type { EventPayload, EventResult } from '../socket/eventTable';
import type { Call } from './Call';
import type { CallOwnerEvent, CallRequester } from './CallTypes';

/**
 * One call event as its owner runs it: the schema its payload must match (checked where the
 * request arrives, and again by the owner when forwarded) and what it does to the call.
 */
export interface CallOwnerOp<E extends CallOwnerEvent> {
  schema: ZodType<EventPayload<E>>;
  run(call: Call, payload: EventPayload<E>, requester: CallRequester): Promise<EventResult<E>>;
}

/** Every event the owner answers, each with its operation. */
export type CallOwnerOps = { [E in CallOwnerEvent]: CallOwnerOp<E> };
