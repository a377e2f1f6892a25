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
import { CallNotMemberError, MediaUnavailableError } from './callErrors';
import type { CallSubscriptions } from './CallSubscriptions';
import type { CallRequester } from './CallTypes';
import { producerInfo } from './producerInfo';

const ok = { ok: true } as const;

/**
 * The mediasoup negotiation of a participant on its call's room: transports, producers and
 * consumers. Only the socket that joined negotiates for its user; the others hear of producers.
 * mediasoup's parameter objects arrive as checked, opaque JSON (protocol/calls.ts) and mediasoup
 * validates their meaning.
 */
export class CallNegotiation {
  constructor(
    private readonly io: ChatServer,
    private readonly subscriptions: CallSubscriptions,
  ) {}

  async createTransport(call: Call, p: TransportCreatePayload, requester: CallRequester): Promise<TransportInfo> {
    const { room, uid } = this.participant(call, requester);
    return room.createWebRtcTransport(uid, p.direction);
  }

  async connectTransport(call: Call, p: TransportConnectPayload, requester: CallRequester): Promise<typeof ok> {
    const { room, uid } = this.participant(call, requester);
    await room.connectTransport(uid, p.transportId, p.dtlsParameters as ms.DtlsParameters);
    return ok;
  }

  async restartIce(call: Call, p: TransportRefPayload, requester: CallRequester): Promise<{ iceParameters: JsonObject }> {
    const { room, uid } = this.participant(call, requester);
    return { iceParameters: await room.restartIce(uid, p.transportId) };
  }

  async produce(call: Call, p: ProducePayload, requester: CallRequester): Promise<{ producerId: string }> {
    const { room, uid } = this.participant(call, requester);
    checkSourceMatchesKind(p.source, p.kind);
    const record = await room.produce(uid, p.transportId, p.kind, p.rtpParameters as ms.RtpParameters, p.source);
    this.toOthers(call, uid)?.emit('call:producer:new', { callid: call.callid, ...producerInfo(record) });
    return { producerId: record.producerId };
  }

  async pauseProducer(call: Call, p: ProducerRefPayload, requester: CallRequester): Promise<typeof ok> {
    const { room, uid } = this.participant(call, requester);
    await room.pauseProducer(uid, p.producerId);
    this.toOthers(call, uid)?.emit('call:producer:paused', { callid: call.callid, producerId: p.producerId, uid });
    return ok;
  }

  async resumeProducer(call: Call, p: ProducerRefPayload, requester: CallRequester): Promise<typeof ok> {
    const { room, uid } = this.participant(call, requester);
    await room.resumeProducer(uid, p.producerId);
    this.toOthers(call, uid)?.emit('call:producer:resumed', { callid: call.callid, producerId: p.producerId, uid });
    return ok;
  }

  async closeProducer(call: Call, p: ProducerRefPayload, requester: CallRequester): Promise<typeof ok> {
    const { room, uid } = this.participant(call, requester);
    room.closeProducer(uid, p.producerId);
    this.toOthers(call, uid)?.emit('call:producer:closed', { callid: call.callid, producerId: p.producerId, uid });
    return ok;
  }

  async consume(call: Call, p: ConsumePayload, requester: CallRequester): Promise<ConsumeResult> {
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
  async resumeConsumer(call: Call, p: ConsumerRefPayload, requester: CallRequester): Promise<typeof ok> {
    const { room, uid } = this.participant(call, requester);
    await this.subscriptions.want(call, room, uid, p.consumerId, true);
    return ok;
  }

  /** The consumer's tile is hidden: its media stops on the server. */
  async pauseConsumer(call: Call, p: ConsumerRefPayload, requester: CallRequester): Promise<typeof ok> {
    const { room, uid } = this.participant(call, requester);
    await this.subscriptions.want(call, room, uid, p.consumerId, false);
    return ok;
  }

  async setConsumerLayers(call: Call, p: ConsumerLayersPayload, requester: CallRequester): Promise<typeof ok> {
    const { room, uid } = this.participant(call, requester);
    await room.setConsumerLayers(uid, p.consumerId, p.spatialLayer, p.temporalLayer);
    return ok;
  }

  /** The requester's room and user, when its socket is the one that joined the call. */
  private participant(call: Call, requester: CallRequester): { room: Room; uid: string } {
    if (!requester.sessions.includes(call.sessionid)) throw new CallNotMemberError();
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
