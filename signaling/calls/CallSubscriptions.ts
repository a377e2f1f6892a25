import type { Room } from '../../media';
import type { CallScreenInfo } from '../protocol/calls';
import type { Call } from './Call';
import type { CallBook } from './CallBook';
import type { CallDeps } from './CallDeps';
import type { CallAudioChoice } from './CallLegTypes';
import { ConsumerFlow } from './ConsumerFlow';
import { EVERY_VOICE, sameChoice, type AudioChoice } from './ConsumerFlowTypes';

/** What the subscriptions keep of one room (a new room after a worker death starts afresh). */
interface RoomSubscriptions {
  /** Recent dominant speakers (uids), newest first. */
  recent: string[];
  /** The room's consumers and what lets them flow. */
  flow: ConsumerFlow;
  /** The speakers last announced (`call:speakers`). */
  announced: string[];
}

/**
 * The audio choice of the calls this process owns (S28). In a call larger than
 * CALL_AUDIO_ALL_UP_TO, audio flows only from the CALL_AUDIO_LOUDEST most recent dominant speakers
 * of the room's ActiveSpeakerObserver (which hears every participant, remote ones piped in). The
 * server decides audio (every client gets the same choice, and no client can keep every sender's
 * audio past the size); clients decide video from what they show (ConsumerFlow applies both).
 * The choice goes to the participants (`call:speakers`) and to the legs of the call on other
 * processes (`call:legUpdate`), whose consumers follow it too; a new leg asks for it.
 */
export class CallSubscriptions {
  private readonly rooms = new WeakMap<Room, RoomSubscriptions>();
  /** The choice last told to the legs, per call. */
  private readonly told = new WeakMap<Call, CallAudioChoice>();

  constructor(
    private readonly deps: Pick<CallDeps, 'io' | 'peers' | 'logger'>,
    private readonly book: Pick<CallBook, 'get'>,
    readonly limits: CallScreenInfo,
  ) {
    deps.io.of('/').on('call:audioChoice', (callid, ack) => {
      const call = book.get(callid);
      ack(call ? this.current(call) : null);
    });
  }

  /** Follows a call's (new) room: its active speakers feed the recent-speaker list. */
  watch(call: Call, room: Room): void {
    const subs = this.subsOf(room);
    room.on('activeSpeaker', (uid) => {
      if (!uid || subs.recent[0] === uid) return;
      subs.recent = [uid, ...subs.recent.filter((u) => u !== uid)];
      this.refresh(call, room);
    });
    // a sender leaving closes consumers: the call may have dropped below the size
    room.on('consumerClosed', () => this.refresh(call, room));
  }

  /** The recent speakers whose audio flows in a large call, newest first. */
  speakers(call: Call, room: Room): string[] {
    return this.loudest(call, this.subsOf(room));
  }

  /** The client's wish for one of its consumers, applied at once (with the audio choice as it is now). */
  async want(call: Call, room: Room, uid: string, consumerId: string, on: boolean): Promise<void> {
    const subs = this.subsOf(room);
    if (!sameChoice(this.choiceOf(call, subs), subs.flow.audio)) this.refresh(call, room);
    await subs.flow.want(uid, consumerId, on);
  }

  /** Participants came or went: the speakers and every consumer's state again. */
  participantsChanged(call: Call): void {
    if (call.room) this.refresh(call, call.room);
  }

  /** Announces a changed speaker list, tells the legs a changed choice, and applies it here. */
  private refresh(call: Call, room: Room): void {
    const subs = this.subsOf(room);
    // the list forgets who left
    subs.recent = subs.recent.filter((uid) => call.participants.has(uid));
    const speakers = this.loudest(call, subs);
    if (speakers.join() !== subs.announced.join()) {
      subs.announced = speakers;
      const sockets = call.socketsExcept();
      if (sockets.length) this.deps.io.to(sockets).emit('call:speakers', { callid: call.callid, uids: speakers });
    }
    const choice = this.choiceOf(call, subs);
    this.tellLegs(call, choice);
    subs.flow.choose(choice);
  }

  /** The legs hear a changed choice (only calls with participants on other processes have legs). */
  private tellLegs(call: Call, choice: AudioChoice): void {
    const told = this.told.get(call);
    if (told && sameChoice(told, choice)) return;
    const audio = { ...choice, seq: (told?.seq ?? 0) + 1 };
    this.told.set(call, audio);
    const local = this.deps.io.of('/').sockets;
    if (!call.socketsExcept().some((socketId) => !local.has(socketId))) return;
    void this.deps.peers
      .callLegUpdate({ callid: call.callid, audio })
      .catch((err: unknown) => this.deps.logger.warn({ err, callid: call.callid }, 'telling the call legs of the audio choice failed'));
  }

  /** The choice as it is now, for a leg that asks (it opened after the last change was told). */
  private current(call: Call): CallAudioChoice {
    if (call.room) this.refresh(call, call.room);
    else this.tellLegs(call, { ...EVERY_VOICE, limited: this.limited(call) });
    return this.told.get(call) ?? { ...EVERY_VOICE, seq: 0 };
  }

  /** Past the size, audio from the recent speakers; up to it, from everyone (speaker changes then change no consumer). */
  private choiceOf(call: Call, subs: RoomSubscriptions): AudioChoice {
    return this.limited(call) ? { limited: true, speakers: this.loudest(call, subs) } : EVERY_VOICE;
  }

  private limited(call: Call): boolean {
    return call.participants.size > this.limits.audioAllUpTo;
  }

  private loudest(call: Call, subs: RoomSubscriptions): string[] {
    return subs.recent.filter((uid) => call.participants.has(uid)).slice(0, this.limits.audioLoudest);
  }

  private subsOf(room: Room): RoomSubscriptions {
    let subs = this.rooms.get(room);
    if (!subs) {
      subs = { recent: [], flow: new ConsumerFlow(room), announced: [] };
      this.rooms.set(room, subs);
    }
    return subs;
  }
}
