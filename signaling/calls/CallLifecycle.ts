import type { ActiveCallRegistry } from '../../storage/ActiveCallRegistry';
import type { CallEndReason, JoinResult } from '../protocol/calls';
import { userRoom } from '../socket/Fanout';
import type { Call, Participant } from './Call';
import type { CallBook } from './CallBook';
import type { CallDeps } from './CallDeps';
import type { CallLegNotices } from './CallLegNotices';
import type { CallPlaces } from './CallPlaces';
import { CallNotMemberError, MediaUnavailableError } from './callErrors';
import type { CallRequester } from './CallTypes';
import { producerInfo } from './producerInfo';
import type { CallRecordings } from './recording/CallRecordings';
import type { CallSubscriptions } from './CallSubscriptions';

const ok = { ok: true } as const;

/**
 * A call's life on its owner: participants joining, declining and leaving, and its end (ringing,
 * active, ended, with the msgtype 5/6 announcements and the places it held freed).
 */
export class CallLifecycle {
  constructor(
    private readonly deps: CallDeps,
    private readonly book: CallBook,
    private readonly places: CallPlaces,
    private readonly registry: ActiveCallRegistry,
    private readonly recordings: Pick<CallRecordings, 'callEnded'> | undefined,
    private readonly legs: CallLegNotices,
    /** The audio choice follows the size however a participant went (a gone socket too). */
    private readonly subscriptions?: Pick<CallSubscriptions, 'participantsChanged'>,
  ) {}

  async join(call: Call, requester: CallRequester): Promise<JoinResult> {
    if (!requester.sessions.includes(call.sessionid)) throw new CallNotMemberError();
    const room = call.room;
    if (!room) throw new MediaUnavailableError('the call media is moving to another server; wait for call:reconnectMedia');
    const previous = call.participants.get(requester.uid);
    // Joining again (another tab, or after call:reconnectMedia) starts this user's media afresh.
    if (previous) this.dropMedia(call, previous, previous.socketId !== requester.socketId);
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
      routerRtpCapabilities: room.rtpCapabilities,
      producers: [
        ...room.producers(requester.uid).map(producerInfo),
        ...[...call.remoteProducers.values()].filter((p) => p.uid !== requester.uid),
      ],
    };
  }

  async decline(call: Call, requester: CallRequester): Promise<typeof ok> {
    if (!requester.sessions.includes(call.sessionid)) throw new CallNotMemberError();
    // Declining only ends a private call that is still ringing; elsewhere it just stops the ringing here.
    if (call.sessiontype !== 0 || call.state !== 'ringing' || requester.uid === call.startedBy) return ok;
    this.deps.io.to([...call.memberUids].map(userRoom)).emit('call:declined', { callid: call.callid, uid: requester.uid });
    await this.end(call, 'declined');
    return ok;
  }

  /** Answered once a call it ends has ended (its place freed: the caller may start another at once). */
  async leave(call: Call, requester: CallRequester): Promise<typeof ok> {
    const participant = call.participants.get(requester.uid);
    if (participant && participant.socketId === requester.socketId) await this.removeParticipant(call, participant);
    return ok;
  }

  /** A socket went away: it leaves every call it had joined. */
  socketGone(socketId: string): void {
    for (const call of this.book.all()) {
      for (const p of [...call.participants.values()]) if (p.socketId === socketId) void this.removeParticipant(call, p);
    }
    this.book.refreshMetrics();
  }

  private async removeParticipant(call: Call, participant: Participant): Promise<void> {
    call.participants.delete(participant.uid);
    this.dropMedia(call, participant, true);
    if (call.participants.size === 0) {
      // The last one left: an answered call ends, an unanswered one (the caller hung up) is missed.
      await this.end(call, call.state === 'active' ? 'all_left' : 'unanswered');
      return;
    }
    this.emitUpdate(call);
    this.subscriptions?.participantsChanged(call);
    // The caller left a call the others go on with: it no longer counts among the caller's calls.
    if (participant.uid === call.startedBy) await this.places.release(call.callid);
  }

  /**
   * Closes the user's transports (here, or on the process holding its media); the others hear
   * their producers closed (their consumers close too).
   */
  private dropMedia(call: Call, { uid, socketId }: Participant, tellLeg: boolean): void {
    this.legs.drop(call, uid, socketId, tellLeg);
    const closed = call.room?.removePeer(uid) ?? [];
    const others = call.socketsExcept(uid);
    if (!others.length) return;
    for (const p of closed) this.deps.io.to(others).emit('call:producer:closed', { callid: call.callid, producerId: p.producerId, uid });
  }

  /** Ends the call once: its media closed, everyone told, the announcement posted and its places freed. */
  async end(call: Call, reason: CallEndReason): Promise<void> {
    if (call.state === 'ended') return;
    const wasActive = call.state === 'active';
    call.state = 'ended';
    if (call.ringTimer) clearTimeout(call.ringTimer);
    call.ringTimer = null;
    // Its recording is finished (ffmpeg told to end) before the media goes.
    this.recordings?.callEnded(call);
    call.room?.close();
    call.room = null;
    this.legs.ended(call);
    this.book.forget(call);
    this.book.refreshMetrics();
    const durationMs = wasActive && call.answeredAt ? Date.now() - call.answeredAt : 0;
    this.deps.io.to([...call.memberUids].map(userRoom)).emit('call:ended', { callid: call.callid, sessionid: call.sessionid, reason, durationMs });
    this.deps.logger.info({ callid: call.callid, reason, durationMs }, 'call ended');
    await Promise.all([
      this.registry.release(call.sessionid, call.callid).catch(() => undefined),
      this.places.release(call.callid),
      this.deps.announcements
        .post(call, reason === 'all_left' ? 'ended' : reason === 'declined' ? 'declined' : 'missed', durationMs)
        .catch((err) => this.deps.logger.warn({ err, callid: call.callid }, 'posting the call message failed')),
    ]);
  }

  /** How a call ends when nobody chose to: answered ones as all left, the others unanswered. */
  endUnchosen(call: Call): Promise<void> {
    return this.end(call, call.state === 'active' ? 'all_left' : 'unanswered');
  }

  private emitUpdate(call: Call): void {
    this.deps.io.to([...call.memberUids].map(userRoom)).emit('call:update', { call: call.info() });
  }
}
