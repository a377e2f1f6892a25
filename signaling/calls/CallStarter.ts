import { randomUUID } from 'node:crypto';
import type { ActiveCallRegistry } from '../../storage/ActiveCallRegistry';
import type { MediaRoomSupervisor } from '../media-rooms/MediaRoomSupervisor';
import type { CallInfo, CallStartPayload } from '../protocol/calls';
import { userRoom } from '../socket/Fanout';
import { RateLimiter } from '../util/RateLimiter';
import { Call } from './Call';
import type { CallBook } from './CallBook';
import type { CallDeps } from './CallDeps';
import { CallNotMemberError, CallStartRaceError, CallStartRateError, TooManyCallsError } from './callErrors';
import type { CallLifecycle } from './CallLifecycle';
import type { CallMedia } from './CallMedia';
import type { CallPlaces } from './CallPlaces';
import type { CallRequester } from './CallTypes';

/**
 * `call:start`: one call per conversation across every process (ActiveCallRegistry), within the
 * caller's CALLS_PER_USER places and CALL_START_RATE_PER_MINUTE. The process that starts a call
 * owns it: its room, its participants, and its ringing until CALL_RING_TIMEOUT.
 */
export class CallStarter {
  private readonly startRate: RateLimiter;

  constructor(
    private readonly deps: CallDeps,
    private readonly book: CallBook,
    private readonly places: CallPlaces,
    private readonly registry: ActiveCallRegistry,
    private readonly rooms: MediaRoomSupervisor,
    private readonly media: CallMedia,
    private readonly lifecycle: CallLifecycle,
  ) {
    const perMinute = deps.config.callStartsPerMinute;
    this.startRate = new RateLimiter(perMinute / 60, perMinute);
  }

  async start(requester: CallRequester, payload: CallStartPayload): Promise<{ call: CallInfo }> {
    const { deps } = this;
    const { sessionid, kind } = payload;
    if (!this.startRate.take(requester.uid)) throw new CallStartRateError();
    if (!requester.sessions.includes(sessionid)) throw new CallNotMemberError();
    const local = this.book.inSession(sessionid);
    if (local) return { call: local.info() };
    this.rooms.requirePool();
    const session = await deps.sessions.get(sessionid);
    if (!session.uids.includes(requester.uid)) throw new CallNotMemberError();
    const callee = session.sessiontype === 0 ? (session.senduid === requester.uid ? session.recvuid : session.senduid) : undefined;
    if (callee) await deps.blocks?.mustNotBeBlocked(requester.uid, callee);

    const callid = randomUUID();
    const existing = await this.claim(requester, sessionid, callid);
    if (existing) return { call: existing };
    const raced = this.book.inSession(sessionid);
    if (raced) {
      await Promise.all([this.registry.release(sessionid, callid).catch(() => undefined), this.places.release(callid)]);
      return { call: raced.info() };
    }

    const call = new Call(callid, sessionid, session.sessiontype, kind, requester.uid, requester.nickname, Date.now(), session.uids);
    this.book.add(call);
    try {
      await this.media.open(call);
    } catch (err) {
      this.book.forget(call);
      await Promise.all([this.registry.release(sessionid, callid).catch(() => undefined), this.places.release(callid)]);
      throw err;
    }
    this.book.refreshMetrics();
    await deps.announcements.post(call, 'started').catch((err) => deps.logger.warn({ err, callid }, 'posting the call message failed'));
    const ring = { call: call.info(), from: { uid: requester.uid, nickname: requester.nickname } };
    const others = session.uids.filter((uid) => uid !== requester.uid).map(userRoom);
    if (others.length) deps.io.to(others).emit('call:ring', ring);
    call.ringTimer = setTimeout(() => {
      call.ringTimer = null;
      if (call.state === 'ringing') void this.lifecycle.end(call, 'unanswered');
    }, deps.config.callRingTimeout * 1000);
    deps.logger.info({ callid, sessionid, kind, uid: requester.uid }, 'call started');
    return { call: call.info() };
  }

  /**
   * Takes a place among the caller's calls and the conversation for the new call; answers the
   * conversation's call instead when its owner (elsewhere) is alive. A record whose owner died is
   * taken over.
   */
  private async claim(requester: CallRequester, sessionid: string, callid: string): Promise<CallInfo | null> {
    const { deps } = this;
    // A place among the user's CALLS_PER_USER first: a burst of starts cannot get past it.
    const { callsPerUser } = deps.config;
    if (!(await this.places.claim(requester.uid, callid, callsPerUser))) {
      // Joining the conversation's call needs no place of one's own.
      const current = await this.registry.current(sessionid);
      const existing = current ? await deps.peers.findCall(current, requester) : null;
      if (existing) return existing;
      throw new TooManyCallsError(callsPerUser);
    }
    try {
      for (let attempt = 0; ; attempt++) {
        const claim = await this.registry.claim(sessionid, callid, deps.nodeId);
        if (claim.claimed) return null;
        // Another call holds the conversation: answer it when its owner is alive, else take over.
        const existing = await deps.peers.findCall(claim.callid, requester);
        if (existing) {
          await this.places.release(callid);
          return existing;
        }
        if (await this.registry.takeOver(sessionid, claim.callid, callid, deps.nodeId)) return null;
        if (attempt >= 3) throw new CallStartRaceError();
      }
    } catch (err) {
      await this.places.release(callid);
      throw err;
    }
  }
}
