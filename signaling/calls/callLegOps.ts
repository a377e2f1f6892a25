import type { EventPayload, EventResult } from '../socket/eventTable';
import type { CallLeg } from './CallLeg';
import type { CallNegotiation } from './CallNegotiation';
import type { CallOwnerEvent, CallRequester } from './CallTypes';

/**
 * The media events a leg runs where the participant's socket is (the payload was validated where
 * it arrived). An event missing here goes to the call's owner.
 */
export type CallLegOps = {
  [E in CallOwnerEvent]?: (leg: CallLeg, payload: EventPayload<E>, requester: CallRequester) => Promise<EventResult<E>>;
};

export function callLegOps(negotiation: CallNegotiation): CallLegOps {
  return {
    'call:transport:create': (leg, p, requester) => negotiation.createTransport(leg, p, requester),
    'call:transport:connect': (leg, p, requester) => negotiation.connectTransport(leg, p, requester),
    'call:transport:restartIce': (leg, p, requester) => negotiation.restartIce(leg, p, requester),
    'call:produce': (leg, p, requester) => negotiation.produce(leg, p, requester),
    'call:producer:pause': (leg, p, requester) => negotiation.pauseProducer(leg, p, requester),
    'call:producer:resume': (leg, p, requester) => negotiation.resumeProducer(leg, p, requester),
    'call:producer:close': (leg, p, requester) => negotiation.closeProducer(leg, p, requester),
    'call:consume': (leg, p, requester) => negotiation.consume(leg, p, requester),
    'call:consumer:resume': (leg, p, requester) => negotiation.resumeConsumer(leg, p, requester),
    'call:consumer:pause': (leg, p, requester) => negotiation.pauseConsumer(leg, p, requester),
    'call:consumer:setLayers': (leg, p, requester) => negotiation.setConsumerLayers(leg, p, requester),
  };
}
