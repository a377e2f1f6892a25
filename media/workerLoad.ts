import type { MediaWorker } from './MediaWorker';

/** What closes: a mediasoup object's observer. */
interface Closing {
  once(event: 'close', listener: () => void): unknown;
}

/** An object (transport, consumer, pipe end) weighs 1 on its worker's load while it lives (MediaWorker.load). */
export function weigh(worker: MediaWorker, observer: Closing): void {
  worker.load += 1;
  observer.once('close', () => {
    worker.load = Math.max(0, worker.load - 1);
  });
}
