import { z } from 'zod';
import {
  CallRefPayload,
  CallStartPayload,
  ConsumePayload,
  ConsumerLayersPayload,
  ConsumerRefPayload,
  ProducePayload,
  ProducerRefPayload,
  TransportConnectPayload,
  TransportCreatePayload,
  TransportRefPayload,
} from '../protocol/calls';
import type { ChatSocket } from '../socket/ChatSocket';
import type { EventHandler, EventTable } from '../socket/eventTable';
import { requesterOf } from '../socket/requester';
import { CallRecordPayload } from '../protocol/callRecording';
import type { CallRecordings } from './recording/CallRecordings';
import type { CallLifecycle } from './CallLifecycle';
import type { CallNegotiation } from './CallNegotiation';
import type { CallOwnerOps } from './CallOwnerOps';
import type { CallRouter } from './CallRouter';
import type { CallStarter } from './CallStarter';
import type { CallSubscriptions } from './CallSubscriptions';
import type { CallEvent, CallOwnerEvent } from './CallTypes';

/** `call:list` takes no arguments: whatever comes is ignored. */
const NoPayload = z.any().transform((): Record<string, never> => ({}));

/** The events the call's owner answers, each with its schema and operation: the one place they are named on the server. */
export function callOwnerOps(
  lifecycle: CallLifecycle,
  negotiation: CallNegotiation,
  recordings: CallRecordings,
  subscriptions: CallSubscriptions,
): CallOwnerOps {
  return {
    'call:join': {
      schema: CallRefPayload,
      async run(call, _p, requester) {
        const joined = await lifecycle.join(call, requester);
        subscriptions.participantsChanged(call);
        const speakers = call.room ? subscriptions.speakers(call, call.room) : [];
        return { ...joined, screen: subscriptions.limits, speakers };
      },
    },
    'call:decline': { schema: CallRefPayload, run: (call, _p, requester) => lifecycle.decline(call, requester) },
    'call:leave': {
      schema: CallRefPayload,
      async run(call, _p, requester) {
        const left = await lifecycle.leave(call, requester);
        subscriptions.participantsChanged(call);
        return left;
      },
    },
    'call:transport:create': { schema: TransportCreatePayload, run: (call, p, requester) => negotiation.createTransport(call, p, requester) },
    'call:transport:connect': { schema: TransportConnectPayload, run: (call, p, requester) => negotiation.connectTransport(call, p, requester) },
    'call:transport:restartIce': { schema: TransportRefPayload, run: (call, p, requester) => negotiation.restartIce(call, p, requester) },
    'call:produce': { schema: ProducePayload, run: (call, p, requester) => negotiation.produce(call, p, requester) },
    'call:producer:pause': { schema: ProducerRefPayload, run: (call, p, requester) => negotiation.pauseProducer(call, p, requester) },
    'call:producer:resume': { schema: ProducerRefPayload, run: (call, p, requester) => negotiation.resumeProducer(call, p, requester) },
    'call:producer:close': { schema: ProducerRefPayload, run: (call, p, requester) => negotiation.closeProducer(call, p, requester) },
    'call:consume': { schema: ConsumePayload, run: (call, p, requester) => negotiation.consume(call, p, requester) },
    'call:consumer:resume': { schema: ConsumerRefPayload, run: (call, p, requester) => negotiation.resumeConsumer(call, p, requester) },
    'call:consumer:pause': { schema: ConsumerRefPayload, run: (call, p, requester) => negotiation.pauseConsumer(call, p, requester) },
    'call:consumer:setLayers': { schema: ConsumerLayersPayload, run: (call, p, requester) => negotiation.setConsumerLayers(call, p, requester) },
    // ---- recording (issue 15) ----
    'call:record:start': { schema: CallRecordPayload, run: (call, _p, requester) => recordings.start(call, requester) },
    'call:record:stop': { schema: CallRecordPayload, run: (call, _p, requester) => recordings.stop(call, requester) },
  };
}

/**
 * Every call event with its handler (typed against ClientToServerEvents): `call:start` and
 * `call:list` are answered here, the owner's events are routed to the call's owner.
 */
export function callEvents(ops: CallOwnerOps, router: CallRouter, starter: CallStarter, joined: (socket: ChatSocket) => void): EventTable<CallEvent> {
  return {
    'call:start': { schema: CallStartPayload, handle: (socket, payload) => starter.start(requesterOf(socket), payload) },
    'call:list': { schema: NoPayload, handle: async (socket) => ({ calls: await router.list(requesterOf(socket)) }) },
    ...routedEvents(ops, router, joined),
  };
}

function routedEvents(ops: CallOwnerOps, router: CallRouter, joined: (socket: ChatSocket) => void): EventTable<CallOwnerEvent> {
  const route = <E extends CallOwnerEvent>(event: E): EventHandler<E> => ({
    schema: ops[event].schema,
    handle(socket, payload) {
      if (event === 'call:join') joined(socket);
      return router.route(event, payload, requesterOf(socket));
    },
  });
  // One entry per key of ops, each typed by its own event (a mapped write the compiler cannot follow).
  return Object.fromEntries((Object.keys(ops) as CallOwnerEvent[]).map((event) => [event, route(event)])) as EventTable<CallOwnerEvent>;
}
