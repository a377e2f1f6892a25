import { randomUUID } from 'node:crypto';
import type { Room, WorkerPool } from '../../media';
import type { types as ms } from 'mediasoup';
import { ApiError } from '../http/ApiError';
import { mediaApiError, mediaUnavailable as unavailable } from '../mediaApiError';
import type { AppContext } from '../node/AppContext';
import {
  CallRefPayload,
  ConsumePayload,
  ConsumerLayersPayload,
  ConsumerRefPayload,
  ProducePayload,
  ProducerRefPayload,
  TransportConnectPayload,
  TransportCreatePayload,
  TransportRefPayload,
  type CallEndReason,
  type CallInfo,
  type CallStartPayload,
  type ConsumeResult,
  type JoinResult,
  type JsonObject,
  type ProducerInfo,
  type TransportInfo,
} from '../protocol/calls';
import { ErrorCode } from '../protocol/errors';
import { parsePayload } from '../socket/ackError';
import { RateLimiter } from '../util/RateLimiter';
import { UserSlots } from '../../storage/UserSlots';
import { userRoom, type ChatServer } from '../socket/Fanout';
import { ActiveCallRegistry } from '../../storage/ActiveCallRegistry';
import { Call, type Participant } from './Call';
import { CallMessages } from './CallMessages';
import type { CallDebugInfo, CallOp, CallRequester } from './CallTypes';

const ok = { ok: true } as const;

export const callNotFound = () => new ApiError(404, ErrorCode.CallNotFound, 'no such call (it ended, or never existed)');
const notMember = (what = 'you are not a member of this conversation') => new ApiError(403, ErrorCode.NotMember, what);
const mediaUnavailable = (message = 'the call media is not available; try again') => unavailable(message);
/** The kind of a user's places in UserSlots: calls they started and are still ringing or in. */
const CALL_SLOT = 'call';
/** The owner refreshes its calls' places this often; a place not refreshed for SLOT_STALE_MS (its process died) is free. */
const SLOT_REFRESH_MS = 5_000;
const SLOT_STALE_MS = 20_000;


/**
 * The calls this process owns (S18): their lifecycle (ringing, active, ended, with the msgtype 5/6
 * announcements), their participants, and the mediasoup negotiation on their rooms. Requests come
 * from local sockets or, forwarded by CallGateway, from sockets on other processes; every one
 * carries the requester's current session rooms, checked against the call's conversation, and
 * negotiation requests also need the requester's socket to be the participant's.
 */
export class CallService {
  private readonly calls = new Map<string, Call>();
  private readonly bySession = new Map<string, Call>();
  private readonly registry: ActiveCallRegistry;
  private readonly messages: CallMessages;
  private pool: WorkerPool | null = null;
  private poolFailure: string | null = null;
  private closing = false;
  /** Calls each user has started and still rings or is in (CALLS_PER_USER), across every node. */
  private readonly slots: UserSlots;
  /** call:start requests per user (CALL_START_RATE_PER_MINUTE, per process). */
  private readonly startRate: RateLimiter;
  private readonly slotTimer: NodeJS.Timeout;

  constructor(
    private readonly ctx: AppContext,
    private readonly io: ChatServer,
  ) {
    this.registry = new ActiveCallRegistry(ctx.db);
    this.messages = new CallMessages(ctx);
    this.slots = new UserSlots(ctx.db, SLOT_STALE_MS);
    const perMinute = ctx.config.callStartsPerMinute;
    this.startRate = new RateLimiter(perMinute / 60, perMinute);
    this.slotTimer = setInterval(() => {
      void this.slots.refresh([...this.calls.keys()]).catch((err) => ctx.logger.warn({ err }, 'refreshing the calls\' places failed'));
    }, SLOT_REFRESH_MS).unref();
  }

  /** Hands over the media pool once it runs (or the reason calls are unavailable). */
  attachPool(pool: WorkerPool | null, failure?: string): void {
    this.pool = pool;
    this.poolFailure = failure ?? null;
    pool?.on('roomsLost', ({ roomIds }) => {
      for (const callid of roomIds) void this.recoverMedia(callid);
    });
  }

  owns(callid: string): boolean {
    return this.calls.has(callid);
  }

  // ---------- lifecycle ----------

  async start(requester: CallRequester, payload: CallStartPayload): Promise<{ call: CallInfo }> {
    const { sessionid, kind } = payload;
    if (!this.startRate.take(requester.uid)) {
      throw ApiError.rateLimited('too many calls started; wait a moment and try again');
    }
    if (!requester.sessions.includes(sessionid)) throw notMember();
    const local = this.bySession.get(sessionid);
    if (local) return { call: local.info() };
    if (!this.pool) throw mediaUnavailable(this.poolFailure ?? 'the media servers are starting; try again');
    const session = await this.ctx.sessions.get(sessionid);
    if (!session.uids.includes(requester.uid)) throw notMember();

    const callid = randomUUID();
    // A place among the user's CALLS_PER_USER first: a burst of starts cannot get past it.
    const { callsPerUser } = this.ctx.config;
    if (!(await this.slots.claim(requester.uid, CALL_SLOT, callid, callsPerUser))) {
      // Joining the conversation's call needs no place of one's own.
      const current = await this.registry.current(sessionid);
      const existing = current ? await this.findElsewhere(current, requester) : null;
      if (existing) return { call: existing };
      throw new ApiError(409, ErrorCode.TooManyCalls, `you already have ${callsPerUser} call${callsPerUser === 1 ? '' : 's'} going; end one first`, true);
    }
    const unclaim = () => this.slots.release(callid).catch(() => undefined);
    try {
      for (let attempt = 0; ; attempt++) {
        const claim = await this.registry.claim(sessionid, callid, this.ctx.nodeId);
        if (claim.claimed) break;
        // Another call holds the conversation: answer it when its owner is alive, else take over.
        const existing = await this.findElsewhere(claim.callid, requester);
        if (existing) {
          await unclaim();
          return { call: existing };
        }
        if (await this.registry.takeOver(sessionid, claim.callid, callid, this.ctx.nodeId)) break;
        if (attempt >= 3) throw new ApiError(409, ErrorCode.Unavailable, 'another call is starting in this conversation; try again', true);
      }
    } catch (err) {
      await unclaim();
      throw err;
    }
    const raced = this.bySession.get(sessionid);
    if (raced) {
      await Promise.all([this.registry.release(sessionid, callid).catch(() => undefined), unclaim()]);
      return { call: raced.info() };
    }

    const call = new Call(callid, sessionid, session.sessiontype, kind, requester.uid, requester.nickname, Date.now(), session.uids);
    this.calls.set(callid, call);
    this.bySession.set(sessionid, call);
    try {
      this.attachRoom(call, await this.pool.createRoom(callid));
    } catch (err) {
      this.forget(call);
      await Promise.all([this.registry.release(sessionid, callid).catch(() => undefined), unclaim()]);
      throw mediaApiError(err);
    }
    this.refreshMetrics();
    await this.messages.post(call, 'started').catch((err) => this.ctx.logger.warn({ err, callid }, 'posting the call message failed'));
    const ring = { call: call.info(), from: { uid: requester.uid, nickname: requester.nickname } };
    const others = session.uids.filter((uid) => uid !== requester.uid).map(userRoom);
    if (others.length) this.io.to(others).emit('call:ring', ring);
    call.ringTimer = setTimeout(() => {
      call.ringTimer = null;
      if (call.state === 'ringing') void this.end(call, 'unanswered');
    }, this.ctx.config.callRingTimeout * 1000);
    this.ctx.logger.info({ callid, sessionid, kind, uid: requester.uid }, 'call started');
    return { call: call.info() };
  }

  /** Runs a request for a call this process owns (null when it does not own it). */
  async handle(op: CallOp, raw: unknown, requester: CallRequester): Promise<{ result: unknown } | null> {
    if (op === 'list') return { result: this.list(requester) };
    if (op === 'debug') return { result: this.debug() };
    const { callid } = parsePayload(CallRefPayload, raw);
    const call = this.calls.get(callid);
    if (!call) return null;
    try {
      return { result: await this.run(op, call, raw, requester) };
    } catch (err) {
      throw mediaApiError(err);
    } finally {
      this.refreshMetrics();
    }
  }

  private async run(op: CallOp, call: Call, raw: unknown, requester: CallRequester): Promise<unknown> {
    switch (op) {
      case 'info':
        if (!requester.sessions.includes(call.sessionid)) throw notMember();
        return call.info();
      case 'join':
        return this.join(call, requester);
      case 'decline':
        return this.decline(call, requester);
      case 'leave':
        await this.leave(call, requester);
        return ok;
      default:
        return this.negotiate(op, call, raw, requester);
    }
  }

  private async join(call: Call, requester: CallRequester): Promise<JoinResult> {
    if (!requester.sessions.includes(call.sessionid)) throw notMember();
    const room = call.room;
    if (!room) throw mediaUnavailable('the call media is moving to another server; wait for call:reconnectMedia');
    const previous = call.participants.get(requester.uid);
    // Joining again (another tab, or after call:reconnectMedia) starts this user's media afresh.
    if (previous) this.dropMedia(call, previous.uid);
    call.participants.set(requester.uid, {
      uid: requester.uid,
      nickname: requester.nickname,
      joinedAt: previous?.joinedAt ?? Date.now(),
      socketId: requester.socketId,
    });
    call.memberUids.add(requester.uid);
    if (call.state === 'ringing' && [...call.participants.keys()].some((uid) => uid !== call.startedBy)) {
      call.state = 'active';
      call.answeredAt = Date.now();
      if (call.ringTimer) clearTimeout(call.ringTimer);
      call.ringTimer = null;
    }
    this.emitUpdate(call);
    return {
      call: call.info(),
      routerRtpCapabilities: room.rtpCapabilities as unknown as JsonObject,
      producers: room.producers(requester.uid).map((p) => producerInfo(p)),
    };
  }

  private async decline(call: Call, requester: CallRequester): Promise<typeof ok> {
    if (!requester.sessions.includes(call.sessionid)) throw notMember();
    // Declining only ends a private call that is still ringing; elsewhere it just stops the ringing here.
    if (call.sessiontype !== 0 || call.state !== 'ringing' || requester.uid === call.startedBy) return ok;
    this.io.to([...call.memberUids].map(userRoom)).emit('call:declined', { callid: call.callid, uid: requester.uid });
    await this.end(call, 'declined');
    return ok;
  }

  /** Answered once a call it ends has ended (its place freed: the caller may start another at once). */
  private async leave(call: Call, requester: CallRequester): Promise<void> {
    const participant = call.participants.get(requester.uid);
    if (!participant || participant.socketId !== requester.socketId) return;
    await this.removeParticipant(call, participant);
  }

  /** A socket went away: it leaves every call it had joined. */
  socketGone(socketId: string): void {
    for (const call of [...this.calls.values()]) {
      for (const p of [...call.participants.values()]) if (p.socketId === socketId) void this.removeParticipant(call, p);
    }
    this.refreshMetrics();
  }

  private async removeParticipant(call: Call, participant: Participant): Promise<void> {
    call.participants.delete(participant.uid);
    this.dropMedia(call, participant.uid);
    if (call.participants.size === 0) {
      // The last one left: an answered call ends, an unanswered one (the caller hung up) is missed.
      await this.end(call, call.state === 'active' ? 'all_left' : 'unanswered');
      return;
    }
    this.emitUpdate(call);
    // The caller left a call the others go on with: it no longer counts among the caller's calls.
    if (participant.uid === call.startedBy) await this.slots.release(call.callid).catch(() => undefined);
  }

  /** Closes the user's transports; the others hear their producers closed (their consumers close too). */
  private dropMedia(call: Call, uid: string): void {
    const closed = call.room?.removePeer(uid) ?? [];
    const others = call.socketsExcept(uid);
    if (!others.length) return;
    for (const p of closed) this.io.to(others).emit('call:producer:closed', { callid: call.callid, producerId: p.producerId, uid });
  }

  async end(call: Call, reason: CallEndReason): Promise<void> {
    if (call.state === 'ended') return;
    const wasActive = call.state === 'active';
    call.state = 'ended';
    if (call.ringTimer) clearTimeout(call.ringTimer);
    call.ringTimer = null;
    call.room?.close();
    call.room = null;
    this.forget(call);
    this.refreshMetrics();
    const durationMs = wasActive && call.answeredAt ? Date.now() - call.answeredAt : 0;
    this.io.to([...call.memberUids].map(userRoom)).emit('call:ended', { callid: call.callid, sessionid: call.sessionid, reason, durationMs });
    this.ctx.logger.info({ callid: call.callid, reason, durationMs }, 'call ended');
    await Promise.all([
      this.registry.release(call.sessionid, call.callid).catch(() => undefined),
      this.slots.release(call.callid).catch(() => undefined),
      this.messages
        .post(call, reason === 'all_left' ? 'ended' : reason === 'declined' ? 'declined' : 'missed', durationMs)
        .catch((err) => this.ctx.logger.warn({ err, callid: call.callid }, 'posting the call message failed')),
    ]);
  }

  private emitUpdate(call: Call): void {
    this.io.to([...call.memberUids].map(userRoom)).emit('call:update', { call: call.info() });
  }

  private forget(call: Call): void {
    this.calls.delete(call.callid);
    if (this.bySession.get(call.sessionid) === call) this.bySession.delete(call.sessionid);
  }

  // ---------- negotiation ----------

  private participant(call: Call, requester: CallRequester): { room: Room; uid: string } {
    if (!requester.sessions.includes(call.sessionid)) throw notMember();
    const p = call.participants.get(requester.uid);
    if (!p || p.socketId !== requester.socketId) throw notMember('join the call first (call:join)');
    if (!call.room) throw mediaUnavailable('the call media is moving to another server; wait for call:reconnectMedia');
    return { room: call.room, uid: p.uid };
  }

  private async negotiate(op: CallOp, call: Call, raw: unknown, requester: CallRequester): Promise<unknown> {
    const { callid } = call;
    switch (op) {
      case 'transport:create': {
        const p = parsePayload(TransportCreatePayload, raw);
        const { room, uid } = this.participant(call, requester);
        const t = await room.createWebRtcTransport(uid, p.direction);
        return t as unknown as TransportInfo;
      }
      case 'transport:connect': {
        const p = parsePayload(TransportConnectPayload, raw);
        const { room, uid } = this.participant(call, requester);
        await room.connectTransport(uid, p.transportId, p.dtlsParameters as unknown as ms.DtlsParameters);
        return ok;
      }
      case 'transport:restartIce': {
        const p = parsePayload(TransportRefPayload, raw);
        const { room, uid } = this.participant(call, requester);
        return { iceParameters: (await room.restartIce(uid, p.transportId)) as unknown as JsonObject };
      }
      case 'produce': {
        const p = parsePayload(ProducePayload, raw);
        const { room, uid } = this.participant(call, requester);
        if ((p.source === 'mic') !== (p.kind === 'audio')) {
          throw new ApiError(400, ErrorCode.InvalidInput, 'source: mic is audio, camera and screen are video');
        }
        const record = await room.produce(uid, p.transportId, p.kind, p.rtpParameters as unknown as ms.RtpParameters, p.source);
        const others = call.socketsExcept(uid);
        if (others.length) this.io.to(others).emit('call:producer:new', { callid, ...producerInfo(record) });
        return { producerId: record.producerId };
      }
      case 'producer:pause':
      case 'producer:resume': {
        const p = parsePayload(ProducerRefPayload, raw);
        const { room, uid } = this.participant(call, requester);
        if (op === 'producer:pause') await room.pauseProducer(uid, p.producerId);
        else await room.resumeProducer(uid, p.producerId);
        const others = call.socketsExcept(uid);
        const event = op === 'producer:pause' ? 'call:producer:paused' : 'call:producer:resumed';
        if (others.length) this.io.to(others).emit(event, { callid, producerId: p.producerId, uid });
        return ok;
      }
      case 'producer:close': {
        const p = parsePayload(ProducerRefPayload, raw);
        const { room, uid } = this.participant(call, requester);
        room.closeProducer(uid, p.producerId);
        const others = call.socketsExcept(uid);
        if (others.length) this.io.to(others).emit('call:producer:closed', { callid, producerId: p.producerId, uid });
        return ok;
      }
      case 'consume': {
        const p = parsePayload(ConsumePayload, raw);
        const { room, uid } = this.participant(call, requester);
        const c = await room.consume(uid, p.producerId, p.rtpCapabilities as unknown as ms.RtpCapabilities);
        const result: ConsumeResult = {
          consumerId: c.consumerId,
          producerId: c.producerId,
          kind: c.kind,
          rtpParameters: c.rtpParameters as unknown as JsonObject,
          uid: c.producerPeerId,
          source: c.source,
          paused: c.paused,
        };
        return result;
      }
      case 'consumer:resume': {
        const p = parsePayload(ConsumerRefPayload, raw);
        const { room, uid } = this.participant(call, requester);
        await room.resumeConsumer(uid, p.consumerId);
        return ok;
      }
      case 'consumer:setLayers': {
        const p = parsePayload(ConsumerLayersPayload, raw);
        const { room, uid } = this.participant(call, requester);
        await room.setConsumerLayers(uid, p.consumerId, p.spatialLayer, p.temporalLayer);
        return ok;
      }
      default:
        throw new ApiError(400, ErrorCode.InvalidInput, `unknown call request ${op}`);
    }
  }

  // ---------- media rooms ----------

  private attachRoom(call: Call, room: Room): void {
    call.room = room;
    const toPeer = (uid: string) => call.participants.get(uid)?.socketId;
    room.on('activeSpeaker', (peerId) => {
      const sockets = call.socketsExcept();
      if (sockets.length) this.io.to(sockets).emit('call:activeSpeaker', { callid: call.callid, uid: peerId });
    });
    room.on('consumerClosed', ({ peerId, consumerId }) => {
      const socket = toPeer(peerId);
      if (socket) this.io.to(socket).emit('call:consumer:closed', { callid: call.callid, consumerId });
      this.refreshMetrics();
    });
    room.on('consumerLayers', ({ peerId, consumerId, spatialLayer, temporalLayer }) => {
      const socket = toPeer(peerId);
      if (socket) this.io.to(socket).emit('call:consumer:layers', { callid: call.callid, consumerId, spatialLayer, temporalLayer });
    });
    room.on('consumerScore', ({ peerId, consumerId, score, producerScore }) => {
      const socket = toPeer(peerId);
      if (socket) this.io.to(socket).emit('call:consumer:score', { callid: call.callid, consumerId, score, producerScore });
    });
  }

  /** The call's worker died: a new room on a live worker, then every participant re-negotiates. */
  private async recoverMedia(callid: string): Promise<void> {
    const call = this.calls.get(callid);
    if (!call || call.state === 'ended') return;
    call.room = null;
    this.ctx.logger.warn({ callid }, 'call media lost with its mediasoup worker; re-creating it');
    for (let attempt = 0; attempt < 20 && this.pool && !this.closing; attempt++) {
      if (!this.calls.has(callid)) return;
      try {
        const room = await this.pool.createRoom(callid);
        if (!this.calls.has(callid)) {
          room.close();
          return;
        }
        this.attachRoom(call, room);
        const sockets = call.socketsExcept();
        if (sockets.length) this.io.to(sockets).emit('call:reconnectMedia', { callid });
        this.ctx.logger.info({ callid, workerPid: room.worker.pid }, 'call media re-created');
        this.refreshMetrics();
        return;
      } catch (err) {
        this.ctx.logger.warn({ err, callid, attempt }, 're-creating call media failed; retrying');
        await new Promise((r) => setTimeout(r, 250 * (attempt + 1)));
      }
    }
    await this.end(call, call.state === 'active' ? 'all_left' : 'unanswered');
  }

  // ---------- queries ----------

  private list(requester: CallRequester): CallInfo[] {
    const mine = new Set(requester.sessions);
    return [...this.calls.values()].filter((c) => mine.has(c.sessionid)).map((c) => c.info());
  }

  private debug(): CallDebugInfo {
    return {
      node: this.ctx.nodeId,
      pid: process.pid,
      workers: this.pool?.workers() ?? [],
      calls: [...this.calls.values()].map((c) => {
        const stats = c.room?.stats();
        return {
          callid: c.callid,
          sessionid: c.sessionid,
          participants: [...c.participants.keys()],
          workerPid: c.room?.worker.pid ?? null,
          producers: stats?.producers ?? 0,
          consumers: stats?.consumers ?? 0,
        };
      }),
    };
  }

  /** Set by the gateway: asks the other processes for a call (one call per conversation). */
  findElsewhere: (callid: string, requester: CallRequester) => Promise<CallInfo | null> = async () => null;

  private refreshMetrics(): void {
    const m = this.ctx.metrics;
    let participants = 0;
    let producers = 0;
    let consumers = 0;
    for (const call of this.calls.values()) {
      participants += call.participants.size;
      const s = call.room?.stats();
      producers += s?.producers ?? 0;
      consumers += s?.consumers ?? 0;
    }
    m.callsActive.set(this.calls.size);
    m.callParticipants.set(participants);
    m.mediaProducers.set(producers);
    m.mediaConsumers.set(consumers);
  }

  /** Shutdown: every call ends (its "ended" message stored); the node stops the media workers after. */
  async close(): Promise<void> {
    this.closing = true;
    clearInterval(this.slotTimer);
    await Promise.all([...this.calls.values()].map((call) => this.end(call, call.state === 'active' ? 'all_left' : 'unanswered')));
  }
}

function producerInfo(p: { producerId: string; peerId: string; kind: 'audio' | 'video'; source: 'mic' | 'camera' | 'screen'; paused: boolean }): ProducerInfo {
  return { producerId: p.producerId, uid: p.peerId, kind: p.kind, source: p.source, paused: p.paused };
}
