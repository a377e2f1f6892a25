import { EventEmitter } from 'node:events';
import { callMediaCodecs } from './codecs';
import { MediaUnavailableError } from './errors';
import type { MediaWorker } from './MediaWorker';
import type { RoomRouter, RoomRoutersEvents, RoomWorkerSource } from './RoomRoutersTypes';

/**
 * A room's routers, at most one per worker, created when a peer is first placed on that worker.
 * Without a worker source the room keeps to its home worker (live streams); with one, each new
 * peer goes to the live worker with the least load (MediaWorker.load), a worker the room already
 * uses winning a tie (fewer pipes).
 */
export class RoomRouters extends EventEmitter<RoomRoutersEvents> {
  private readonly byWorker = new Map<MediaWorker, RoomRouter>();
  private readonly pending = new Map<MediaWorker, Promise<RoomRouter>>();
  private closing = false;

  private constructor(private readonly workers: RoomWorkerSource | null) {
    super();
  }

  static async create(home: MediaWorker, workers: RoomWorkerSource | null): Promise<{ routers: RoomRouters; home: RoomRouter }> {
    const routers = new RoomRouters(workers);
    return { routers, home: await routers.at(home) };
  }

  /** The routers alive now. */
  all(): RoomRouter[] {
    return [...this.byWorker.values()];
  }

  get size(): number {
    return this.byWorker.size;
  }

  /** The worker a new peer goes to (its load counted at once, so peers placed together spread). */
  pick(home: RoomRouter): MediaWorker {
    const live = this.workers?.liveWorkers().filter((w) => !w.closed) ?? [];
    if (live.length === 0) return home.worker;
    return live.reduce((best, w) => {
      if (w.load !== best.load) return w.load < best.load ? w : best;
      return !this.byWorker.has(best) && this.byWorker.has(w) ? w : best;
    });
  }

  /** The room's router on that worker, created when missing. */
  async at(worker: MediaWorker): Promise<RoomRouter> {
    const existing = this.byWorker.get(worker);
    if (existing) return existing;
    let pending = this.pending.get(worker);
    if (!pending) {
      pending = this.open(worker).finally(() => this.pending.delete(worker));
      this.pending.set(worker, pending);
    }
    return pending;
  }

  close(): void {
    this.closing = true;
    for (const { router } of this.byWorker.values()) router.close();
    this.byWorker.clear();
  }

  private async open(worker: MediaWorker): Promise<RoomRouter> {
    if (worker.closed) throw new MediaUnavailableError('that media worker is gone');
    const router = await worker.worker.createRouter({ mediaCodecs: callMediaCodecs });
    if (this.closing) {
      router.close();
      throw new MediaUnavailableError('the room is closed');
    }
    const entry: RoomRouter = { worker, router };
    this.byWorker.set(worker, entry);
    router.observer.once('close', () => {
      if (this.byWorker.get(worker) !== entry) return;
      this.byWorker.delete(worker);
      if (!this.closing) this.emit('lost', entry);
    });
    return entry;
  }
}
