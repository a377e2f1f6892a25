import { EventEmitter } from 'node:events';
import { MediaUnavailableError } from './errors';
import { MediaWorker } from './MediaWorker';
import type { MediaWorkerInfo } from './MediaWorkerTypes';
import { Room } from './Room';
import type { RoomOptions } from './RoomTypes';
import type { WorkerPoolEvents, WorkerPoolOptions } from './WorkerPoolTypes';

/**
 * The mediasoup workers of this process, one WebRtcServer port each. A room's home router goes to
 * the least-loaded worker (MediaWorker.load, then fewest rooms); a spread room places its peers on
 * any live worker of the pool. A worker that dies is replaced in its slot (same port when it is
 * free); the rooms it took entirely (no router left) are announced as lost, spread rooms that keep
 * a router elsewhere report their lost peers themselves (Room `peersLost`).
 */
export class WorkerPool extends EventEmitter<WorkerPoolEvents> {
  private readonly slots: (MediaWorker | null)[];
  private readonly rooms = new Map<string, Room>();
  private closed = false;

  private constructor(private readonly options: WorkerPoolOptions) {
    super();
    this.slots = Array.from({ length: options.size }, () => null);
  }

  static async create(options: WorkerPoolOptions): Promise<WorkerPool> {
    const pool = new WorkerPool(options);
    const started = await Promise.allSettled(pool.slots.map((_, slot) => pool.startSlot(slot)));
    const failed = started.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed.length === started.length) {
      pool.close();
      throw failed[0]!.reason;
    }
    for (const f of failed) pool.log('error', 'a mediasoup worker did not start', { err: String(f.reason) });
    return pool;
  }

  /** A new room (home router + active speaker observer) on the least-loaded live worker. */
  async createRoom(roomId: string, options: RoomOptions = {}): Promise<Room> {
    if (this.closed) throw new MediaUnavailableError('the media pool is closed');
    const live = this.liveWorkers();
    if (live.length === 0) throw new MediaUnavailableError();
    const worker = live.reduce((a, b) => (b.load < a.load || (b.load === a.load && b.rooms < a.rooms) ? b : a));
    worker.rooms += 1;
    let room: Room;
    try {
      room = await Room.create(roomId, worker, options.spread ? { liveWorkers: () => this.liveWorkers() } : null);
    } catch (err) {
      worker.rooms -= 1;
      throw err;
    }
    this.rooms.set(roomId, room);
    room.once('closed', ({ lost }) => {
      worker.rooms = Math.max(0, worker.rooms - 1);
      // A room lost with its worker stays listed until the pool announces it (onDied).
      if (!lost && this.rooms.get(roomId) === room) this.rooms.delete(roomId);
    });
    return room;
  }

  getRoom(roomId: string): Room | undefined {
    return this.rooms.get(roomId);
  }

  /** The workers running now. */
  liveWorkers(): MediaWorker[] {
    return this.slots.filter((w): w is MediaWorker => !!w && !w.closed);
  }

  workers(): MediaWorkerInfo[] {
    return this.slots.filter((w): w is MediaWorker => !!w).map((w) => w.info());
  }

  close(): void {
    this.closed = true;
    for (const room of [...this.rooms.values()]) room.close();
    for (const worker of this.slots) worker?.close();
  }

  private async startSlot(slot: number): Promise<MediaWorker> {
    const { basePort } = this.options;
    const worker = await MediaWorker.create({
      slot,
      port: basePort + slot,
      fallbackPortRange: this.options.fallbackPortRange ?? { min: 49152, max: 65000 },
      listenIp: this.options.listenIp,
      announcedIp: this.options.announcedIp,
      logLevel: this.options.logLevel,
    });
    if (this.closed) {
      worker.close();
      throw new MediaUnavailableError('the media pool is closed');
    }
    this.slots[slot] = worker;
    worker.once('died', (error) => this.onDied(worker, error));
    this.log('info', 'mediasoup worker started', { slot, pid: worker.pid, port: worker.port });
    return worker;
  }

  private onDied(worker: MediaWorker, error: Error): void {
    const oldPid = worker.pid;
    this.log('error', 'mediasoup worker died; replacing it', { slot: worker.slot, pid: oldPid, err: error.message });
    if (this.slots[worker.slot] === worker) this.slots[worker.slot] = null;
    // mediasoup closed the worker's routers before it reported the death: the rooms left without
    // any router have closed (lost) and are still listed; the others went on without it.
    const lost = [...this.rooms.values()].filter((room) => room.closed);
    for (const room of lost) this.rooms.delete(room.id);
    worker.close();
    void this.replace(worker.slot, oldPid);
    // Announced after the replacement has begun; createRoom uses any live worker meanwhile.
    if (lost.length) this.emit('roomsLost', { roomIds: lost.map((r) => r.id), workerPid: oldPid, slot: worker.slot });
  }

  private async replace(slot: number, oldPid: number): Promise<void> {
    for (let attempt = 0; !this.closed; attempt++) {
      try {
        const worker = await this.startSlot(slot);
        this.emit('workerReplaced', { slot, oldPid, newPid: worker.pid, port: worker.port });
        return;
      } catch (err) {
        this.log('error', 'replacing a mediasoup worker failed; retrying', { slot, attempt, err: String(err) });
        await new Promise((r) => setTimeout(r, Math.min(10_000, 250 * 2 ** attempt)));
      }
    }
  }

  private log(level: 'info' | 'warn' | 'error', message: string, details?: Record<string, unknown>): void {
    this.options.log?.(level, message, details);
  }
}
