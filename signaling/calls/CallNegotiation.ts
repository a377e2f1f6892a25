import type { types as ms } from 'mediasoup';
import type { Room } from '../../media';
import { checkSourceMatchesKind } from '../media-rooms/mediaRoomErrors';
import type {
  ConsumePayload,
  ConsumeResult,
  ConsumerLayersPayload,
  ConsumerRefPayload,
  JsonObject,
  ProducePayload,
  ProducerRefPayload,
  TransportConnectPayload,
  TransportCreatePayload,
  TransportInfo,
  TransportRefPayload,
} from '../protocol/calls';
import type { ChatServer } from '../socket/Fanout';
import type { Call } from './Call';
import { CallLeg } from './CallLeg';
import type { CallLegs } from './CallLegs';
import { CallNotMemberError, MediaUnavailableError } from './callErrors';
import type { ConsumerFlow } from './ConsumerFlow';
import type { CallSubscriptions } from './CallSubscriptions';
import type { CallRequester } from './CallTypes';
import { producerInfo } from './producerInfo';

const ok = { ok: true } as const;

/** Where a participant's media is negotiated: the owner's call, or this process's leg of a call owned elsewhere. */
export type CallSide = Call | CallLeg;

/**
 * The mediasoup negotiation of a participant on its call's room on the process its socket is
 * connected to (the owner's room, or a leg's): transports, producers and consumers. Only the
 * socket that joined negotiates for its user; the others hear of producers (from the owner: a
 * leg tells it). mediasoup's parameter objects arrive as checked, opaque JSON (protocol/calls.ts)
 * and mediasoup validates their meaning.
 */
export class CallNegotiation {
  constructor(
    private readonly io: ChatServer,
    private readonly subscriptions: CallSubscriptions,
    private readonly legs: Pick<CallLegs, 'notice'>,
  ) {}

  async createTransport(call: CallSide, p: TransportCreatePayload, requester: CallRequester): Promise<TransportInfo> {
    const { room, uid } = this.participant(call, requester);
    return room.createWebRtcTransport(uid, p.direction);
  }

  async connectTransport(call: CallSide, p: TransportConnectPayload, requester: CallRequester): Promise<typeof ok> {
    const { room, uid } = this.participant(call, requester);
    await room.connectTransport(uid, p.transportId, p.dtlsParameters as ms.DtlsParameters);
    return ok;
  }

  async restartIce(call: CallSide, p: TransportRefPayload, requester: CallRequester): Promise<{ iceParameters: JsonObject }> {
    const { room, uid } = this.participant(call, requester);
    return { iceParameters: await room.restartIce(uid, p.transportId) };
  }

  async produce(call: CallSide, p: ProducePayload, requester: CallRequester): Promise<{ producerId: string }> {
    const { room, uid } = this.participant(call, requester);
    checkSourceMatchesKind(p.source, p.kind);
    const record = await room.produce(uid, p.transportId, p.kind, p.rtpParameters as ms.RtpParameters, p.source);
    if (call instanceof CallLeg) await this.legs.notice(call, uid, 'new', [record]);
    else this.toOthers(call, uid)?.emit('call:producer:new', { callid: call.callid, ...producerInfo(record) });
    return { producerId: record.producerId };
  }

  async pauseProducer(call: CallSide, p: ProducerRefPayload, requester: CallRequester): Promise<typeof ok> {
    const { room, uid } = this.participant(call, requester);
    const record = await room.pauseProducer(uid, p.producerId);
    if (call instanceof CallLeg) await this.legs.notice(call, uid, 'paused', [record]);
    else this.toOthers(call, uid)?.emit('call:producer:paused', { callid: call.callid, producerId: p.producerId, uid });
    return ok;
  }

  async resumeProducer(call: CallSide, p: ProducerRefPayload, requester: CallRequester): Promise<typeof ok> {
    const { room, uid } = this.participant(call, requester);
    const record = await room.resumeProducer(uid, p.producerId);
    if (call instanceof CallLeg) await this.legs.notice(call, uid, 'resumed', [record]);
    else this.toOthers(call, uid)?.emit('call:producer:resumed', { callid: call.callid, producerId: p.producerId, uid });
    return ok;
  }

  async closeProducer(call: CallSide, p: ProducerRefPayload, requester: CallRequester): Promise<typeof ok> {
    const { room, uid } = this.participant(call, requester);
    const record = room.closeProducer(uid, p.producerId);
    if (call instanceof CallLeg) await this.legs.notice(call, uid, 'closed', [record]);
    else this.toOthers(call, uid)?.emit('call:producer:closed', { callid: call.callid, producerId: p.producerId, uid });
    return ok;
  }

  async consume(call: CallSide, p: ConsumePayload, requester: CallRequester): Promise<ConsumeResult> {
    const { room, uid } = this.participant(call, requester);
    const c = await room.consume(uid, p.producerId, p.rtpCapabilities as ms.RtpCapabilities);
    return {
      consumerId: c.consumerId,
      producerId: c.producerId,
      kind: c.kind,
      rtpParameters: c.rtpParameters,
      uid: c.producerPeerId,
      source: c.source,
      paused: c.paused,
    };
  }

  /** The consumer flows again (for audio of a large call: once its sender is a recent speaker). */
  async resumeConsumer(call: CallSide, p: ConsumerRefPayload, requester: CallRequester): Promise<typeof ok> {
    const { room, uid } = this.participant(call, requester);
    // A leg applies the owner's audio choice to its own room's consumers.
    if (call instanceof CallLeg) await this.legFlow(call, room).want(uid, p.consumerId, true);
    else await this.subscriptions.want(call, room, uid, p.consumerId, true);
    return ok;
  }

  /** The consumer's tile is hidden: its media stops on the server. */
  async pauseConsumer(call: CallSide, p: ConsumerRefPayload, requester: CallRequester): Promise<typeof ok> {
    const { room, uid } = this.participant(call, requester);
    if (call instanceof CallLeg) await this.legFlow(call, room).want(uid, p.consumerId, false);
    else await this.subscriptions.want(call, room, uid, p.consumerId, false);
    return ok;
  }

  async setConsumerLayers(call: CallSide, p: ConsumerLayersPayload, requester: CallRequester): Promise<typeof ok> {
    const { room, uid } = this.participant(call, requester);
    await room.setConsumerLayers(uid, p.consumerId, p.spatialLayer, p.temporalLayer);
    return ok;
  }

  /** The flow of the leg's room (CallLegs makes it along with the room). */
  private legFlow(leg: CallLeg, room: Room): ConsumerFlow {
    if (leg.flow?.room !== room) throw new MediaUnavailableError('the call media is moving to another server; wait for call:reconnectMedia');
    return leg.flow;
  }

  /** The requester's room and user, when its socket is the one that joined the call. */
  private participant(call: CallSide, requester: CallRequester): { room: Room; uid: string } {
    if (!requester.sessions.includes(call.sessionid)) throw new CallNotMemberError();
    if (call instanceof CallLeg) {
      if (call.peers.get(requester.uid) !== requester.socketId) throw new CallNotMemberError('join the call first (call:join)');
      if (!call.room || call.room.closed) throw new MediaUnavailableError('the call media is moving to another server; wait for call:reconnectMedia');
      return { room: call.room, uid: requester.uid };
    }
    const p = call.participants.get(requester.uid);
    if (!p || p.socketId !== requester.socketId) throw new CallNotMemberError('join the call first (call:join)');
    if (!call.room) throw new MediaUnavailableError('the call media is moving to another server; wait for call:reconnectMedia');
    return { room: call.room, uid: p.uid };
  }

  /** The other participants' sockets, or null when there are none. */
  private toOthers(call: Call, uid: string) {
    const others = call.socketsExcept(uid);
    return others.length ? this.io.to(others) : null;
  }
}
