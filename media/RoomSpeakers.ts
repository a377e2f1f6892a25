import type { types } from 'mediasoup';
import type { ProducerPipes } from './ProducerPipes';
import type { PipeRelease } from './ProducerPipesTypes';
import type { RoomRouter } from './RoomRoutersTypes';

interface Speaker {
  producer: types.Producer;
  place: RoomRouter;
  release: PipeRelease | null;
}

/**
 * The room's one ActiveSpeakerObserver, on its home router: every audio producer of the room is
 * piped there (it is one more user of that pipe), so there is one loudest peer for the whole call.
 * When the home router dies the observer starts again on the new home with the surviving producers.
 */
export class RoomSpeakers {
  private observer: types.ActiveSpeakerObserver | null = null;
  private home: RoomRouter | null = null;
  private readonly speakers = new Map<string, Speaker>();

  constructor(
    private readonly pipes: ProducerPipes,
    private readonly onDominant: (producer: types.Producer) => void,
  ) {}

  /** Observes on `home` (again, after the previous home died). */
  async observeOn(home: RoomRouter): Promise<void> {
    this.home = home;
    const observer = await home.router.createActiveSpeakerObserver({ interval: 300 });
    if (this.home !== home) {
      observer.close();
      return;
    }
    this.observer = observer;
    observer.on('dominantspeaker', ({ producer }) => this.onDominant(this.speakers.get(producer.id)?.producer ?? producer));
    const survivors = [...this.speakers.values()].filter((s) => !s.producer.closed);
    for (const s of this.speakers.values()) s.release?.();
    this.speakers.clear();
    await Promise.all(survivors.map((s) => this.add(s.producer, s.place)));
  }

  /** An audio producer of the room (on `place`'s router). */
  async add(producer: types.Producer, place: RoomRouter): Promise<void> {
    const home = this.home;
    const observer = this.observer;
    if (!home || !observer) return;
    const speaker: Speaker = { producer, place, release: null };
    this.speakers.set(producer.id, speaker);
    producer.observer.once('close', () => {
      if (this.speakers.get(producer.id) === speaker) this.speakers.delete(producer.id);
      speaker.release?.();
    });
    try {
      if (place !== home) speaker.release = await this.pipes.acquire(producer, place, home);
      if (producer.closed) speaker.release?.();
      else await observer.addProducer({ producerId: producer.id });
    } catch {
      // Without it that peer is never the active speaker; its media is unaffected.
      speaker.release?.();
    }
  }
}
