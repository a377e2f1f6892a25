import type { Room } from '../../media';
import { EVERY_VOICE, sameChoice, type AudioChoice } from './ConsumerFlowTypes';

/**
 * Which consumers of one room let media through (S28), on the owner's room and on every leg's
 * alike: a consumer flows while its client wants it (`call:consumer:resume`; paused when its tile
 * is hidden) and, for audio, while the call's audio choice lets its sender be heard. Only changes
 * are asked of mediasoup. A new room (after a worker death) gets a new flow.
 */
export class ConsumerFlow {
  /** What each consumer's client asked for: true resumed, false paused (absent: not resumed yet). */
  private readonly wanted = new Map<string, boolean>();
  /** The state last asked of mediasoup per consumer (absent: paused, as consumers start). */
  private readonly flowing = new Map<string, boolean>();

  constructor(
    readonly room: Room,
    private choice: AudioChoice = EVERY_VOICE,
  ) {
    room.on('consumerClosed', ({ consumerId }) => {
      this.wanted.delete(consumerId);
      this.flowing.delete(consumerId);
    });
  }

  /** The client's wish for one of its consumers, applied at once (with the audio choice). */
  async want(uid: string, consumerId: string, on: boolean): Promise<void> {
    const consumer = this.room.consumers().find((c) => c.consumerId === consumerId && c.peerId === uid);
    // unknown consumers: the room's own refusal (not found) is the answer
    if (!consumer) return on ? this.room.resumeConsumer(uid, consumerId) : this.room.pauseConsumer(uid, consumerId);
    this.wanted.set(consumerId, on);
    await this.set(uid, consumerId, on && this.audible(consumer.kind, consumer.producerPeerId));
  }

  /** The audio choice the consumers follow. */
  get audio(): AudioChoice {
    return this.choice;
  }

  /** A new audio choice: every consumer follows it. */
  choose(choice: AudioChoice): void {
    if (sameChoice(choice, this.choice)) return;
    this.choice = choice;
    void this.apply();
  }

  /** Brings every consumer of the room in line with the wishes and the audio choice. */
  async apply(): Promise<void> {
    if (this.room.closed) return;
    const consumers = this.room.consumers();
    // consumers closed along with their receiver (no consumerClosed for those) are forgotten here
    const present = new Set(consumers.map((c) => c.consumerId));
    for (const id of [...this.flowing.keys()]) if (!present.has(id)) this.flowing.delete(id);
    for (const id of [...this.wanted.keys()]) if (!present.has(id)) this.wanted.delete(id);
    const changes = consumers.map((c) => {
      const on = (this.wanted.get(c.consumerId) ?? false) && this.audible(c.kind, c.producerPeerId);
      return this.set(c.peerId, c.consumerId, on);
    });
    // a consumer closing meanwhile is not an error here
    await Promise.allSettled(changes);
  }

  /** Asks mediasoup only for changes (the order of requests is the order of decisions). */
  private async set(peerId: string, consumerId: string, on: boolean): Promise<void> {
    if ((this.flowing.get(consumerId) ?? false) === on) return;
    this.flowing.set(consumerId, on);
    try {
      await (on ? this.room.resumeConsumer(peerId, consumerId) : this.room.pauseConsumer(peerId, consumerId));
    } catch (err) {
      this.flowing.delete(consumerId);
      throw err;
    }
  }

  private audible(kind: string, sender: string): boolean {
    return kind !== 'audio' || !this.choice.limited || this.choice.speakers.includes(sender);
  }
}
