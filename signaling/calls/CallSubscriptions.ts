import type { Room } from '../../media';
import type { CallScreenInfo } from '../protocol/calls';
import type { ChatServer } from '../socket/Fanout';
import type { Call } from './Call';

/** What the subscriptions keep of one room (a new room after a worker death starts afresh). */
interface RoomSubscriptions {
  /** Recent dominant speakers (uids), newest first. */
  recent: string[];
  /** What each consumer's client asked for: true resumed, false paused (absent: not resumed yet). */
  wanted: Map<string, boolean>;
  /** The state last asked of mediasoup per consumer (absent: paused, as consumers start). */
  flowing: Map<string, boolean>;
  /** The speakers last announced (`call:speakers`). */
  announced: string[];
}

/**
 * Which consumers of a call let media through (S28). A consumer flows while its client wants it
 * (`call:consumer:resume`; `call:consumer:pause` when its tile is hidden) and, for audio in a call
 * larger than CALL_AUDIO_ALL_UP_TO, while its sender is among the CALL_AUDIO_LOUDEST most recent
 * dominant speakers of the room's ActiveSpeakerObserver. The server decides audio (every client
 * gets the same choice, and no client can keep every sender's audio past the size); clients decide
 * video from what they show.
 */
export class CallSubscriptions {
  private readonly rooms = new WeakMap<Room, RoomSubscriptions>();

  constructor(
    private readonly io: ChatServer,
    readonly limits: CallScreenInfo,
  ) {}

  /** Follows a call's (new) room: its active speakers feed the recent-speaker list. */
  watch(call: Call, room: Room): void {
    const subs = this.subsOf(room);
    room.on('activeSpeaker', (uid) => {
      if (!uid || subs.recent[0] === uid) return;
      subs.recent = [uid, ...subs.recent.filter((u) => u !== uid)];
      this.refresh(call, room);
    });
    // a sender leaving closes consumers: the call may have dropped below the size
    room.on('consumerClosed', ({ consumerId }) => {
      subs.wanted.delete(consumerId);
      subs.flowing.delete(consumerId);
      this.refresh(call, room);
    });
  }

  /** The recent speakers whose audio flows in a large call, newest first. */
  speakers(call: Call, room: Room): string[] {
    return this.loudest(call, this.subsOf(room));
  }

  /** The client's wish for one of its consumers, applied at once (with the audio choice). */
  async want(call: Call, room: Room, uid: string, consumerId: string, on: boolean): Promise<void> {
    const consumer = room.consumers().find((c) => c.consumerId === consumerId && c.peerId === uid);
    // unknown consumers: the room's own refusal (not found) is the answer
    if (!consumer) return on ? room.resumeConsumer(uid, consumerId) : room.pauseConsumer(uid, consumerId);
    const subs = this.subsOf(room);
    subs.wanted.set(consumerId, on);
    await this.set(room, subs, consumer.peerId, consumerId, on && this.audible(call, subs, consumer.kind, consumer.producerPeerId));
  }

  /** Participants came or went: the speakers and every consumer's state again. */
  participantsChanged(call: Call): void {
    if (call.room) this.refresh(call, call.room);
  }

  /** Announces a changed speaker list, and applies it. */
  private refresh(call: Call, room: Room): void {
    const subs = this.subsOf(room);
    // the list forgets who left
    subs.recent = subs.recent.filter((uid) => call.participants.has(uid));
    const now = this.loudest(call, subs);
    if (now.join() !== subs.announced.join()) {
      subs.announced = now;
      const sockets = call.socketsExcept();
      if (sockets.length) this.io.to(sockets).emit('call:speakers', { callid: call.callid, uids: now });
    }
    void this.apply(call, room);
  }

  /** Brings every consumer of the room in line with the wishes and the audio choice. */
  private async apply(call: Call, room: Room): Promise<void> {
    if (room.closed) return;
    const subs = this.subsOf(room);
    const changes = room.consumers().map((c) => {
      const on = (subs.wanted.get(c.consumerId) ?? false) && this.audible(call, subs, c.kind, c.producerPeerId);
      return this.set(room, subs, c.peerId, c.consumerId, on);
    });
    // a consumer closing meanwhile is not an error here
    await Promise.allSettled(changes);
  }

  /** Asks mediasoup only for changes (the order of requests is the order of decisions). */
  private async set(room: Room, subs: RoomSubscriptions, peerId: string, consumerId: string, on: boolean): Promise<void> {
    if ((subs.flowing.get(consumerId) ?? false) === on) return;
    subs.flowing.set(consumerId, on);
    try {
      await (on ? room.resumeConsumer(peerId, consumerId) : room.pauseConsumer(peerId, consumerId));
    } catch (err) {
      subs.flowing.delete(consumerId);
      throw err;
    }
  }

  private audible(call: Call, subs: RoomSubscriptions, kind: string, sender: string): boolean {
    if (kind !== 'audio' || call.participants.size <= this.limits.audioAllUpTo) return true;
    return this.loudest(call, subs).includes(sender);
  }

  private loudest(call: Call, subs: RoomSubscriptions): string[] {
    return subs.recent.filter((uid) => call.participants.has(uid)).slice(0, this.limits.audioLoudest);
  }

  private subsOf(room: Room): RoomSubscriptions {
    let subs = this.rooms.get(room);
    if (!subs) {
      subs = { recent: [], wanted: new Map(), flowing: new Map(), announced: [] };
      this.rooms.set(room, subs);
    }
    return subs;
  }
}
