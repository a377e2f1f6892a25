import type { types } from 'mediasoup';
import type { PipeRelease, ProducerPipe } from './ProducerPipesTypes';
import type { RoomRouter } from './RoomRoutersTypes';
import { weigh } from './workerLoad';

/**
 * A room's producers piped (router.pipeToRouter, one PipeTransport pair per router pair, kept by
 * mediasoup) to the routers that have consumers for them. A pipe is made when its first user
 * needs it and closed with its last user; the piped producer keeps the original's id, so
 * consumers and clients never see the difference. mediasoup closes a pipe with its producer,
 * and pauses and resumes it along.
 */
export class ProducerPipes {
  private readonly pipes = new Map<string, ProducerPipe>();

  /** The producer made available on `to` (piped from `from` unless it is there already); release when done. */
  async acquire(producer: types.Producer, from: RoomRouter, to: RoomRouter): Promise<PipeRelease> {
    const key = pipeKey(producer.id, to);
    let pipe = this.pipes.get(key);
    while (pipe?.closed) {
      await pipe.closed;
      pipe = this.pipes.get(key);
    }
    if (!pipe) pipe = this.open(key, producer, from, to);
    const held = pipe;
    held.users += 1;
    try {
      await held.ready;
    } catch (err) {
      this.letGo(key, held);
      throw err;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.letGo(key, held);
    };
  }

  /** Pipes through a router that died: forgotten, and their other ends closed. */
  dropRouter(lost: RoomRouter): void {
    for (const [key, pipe] of [...this.pipes]) {
      if (pipe.from !== lost && pipe.to !== lost) continue;
      this.pipes.delete(key);
      void pipe.ready.then(closeEnds, () => undefined);
    }
  }

  /** Pipes per router (each counted on both of its routers). */
  countByRouter(): Map<types.Router, number> {
    const counts = new Map<types.Router, number>();
    for (const pipe of this.pipes.values()) {
      if (pipe.closed) continue;
      for (const end of [pipe.from.router, pipe.to.router]) counts.set(end, (counts.get(end) ?? 0) + 1);
    }
    return counts;
  }

  /** Whether the producer is (being) piped to that router. */
  has(producerId: string, to: RoomRouter): boolean {
    return this.pipes.has(pipeKey(producerId, to));
  }

  private open(key: string, producer: types.Producer, from: RoomRouter, to: RoomRouter): ProducerPipe {
    const pipe: ProducerPipe = {
      producerId: producer.id,
      from,
      to,
      users: 0,
      closed: null,
      ready: from.router.pipeToRouter({ producerId: producer.id, router: to.router }),
    };
    this.pipes.set(key, pipe);
    pipe.ready.then(
      ({ pipeConsumer, pipeProducer }) => {
        if (pipeConsumer) weigh(from.worker, pipeConsumer.observer);
        if (pipeProducer) weigh(to.worker, pipeProducer.observer);
        // Closed with the original producer (or its router): forgotten, so the next user pipes afresh.
        pipeProducer?.observer.once('close', () => {
          if (this.pipes.get(key) === pipe) this.pipes.delete(key);
        });
      },
      () => {
        if (this.pipes.get(key) === pipe) this.pipes.delete(key);
      },
    );
    return pipe;
  }

  private letGo(key: string, pipe: ProducerPipe): void {
    pipe.users -= 1;
    if (pipe.users > 0 || pipe.closed) return;
    pipe.closed = pipe.ready.then(closeEnds, () => undefined).finally(() => {
      if (this.pipes.get(key) === pipe) this.pipes.delete(key);
    });
  }
}

function pipeKey(producerId: string, to: RoomRouter): string {
  return `${producerId}>${to.router.id}`;
}

function closeEnds({ pipeConsumer, pipeProducer }: { pipeConsumer?: types.Consumer; pipeProducer?: types.Producer }): void {
  pipeProducer?.close();
  pipeConsumer?.close();
}
