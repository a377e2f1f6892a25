import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { Room, RoomOptions, WorkerPool } from '../../media';
import { MediaUnavailableError } from './mediaRoomErrors';
import type { MediaRoomSupervisorEvents, MediaRoomSupervisorOptions, RecreateOptions, RecreateOutcome } from './MediaRoomSupervisorTypes';

/**
 * A feature's access to the shared mediasoup worker pool (calls and live streams each have one):
 * rooms are created on it once it runs, requests are refused with `media_unavailable` until then
 * (or for good, with the reason, when it did not start), and the rooms a dead worker took with it
 * are re-created on a live worker (`roomLost` tells the feature, which calls `recreate`). A spread
 * room (calls) is lost only when every worker it used died; before that it reports its lost peers.
 */
export class MediaRoomSupervisor extends EventEmitter<MediaRoomSupervisorEvents> {
  private pool: WorkerPool | null = null;
  private failure: string | null = null;
  private closing = false;
  private readonly started: Promise<void>;
  private readonly logger: Logger;
  private readonly roomOptions: RoomOptions;

  constructor(options: MediaRoomSupervisorOptions) {
    super();
    this.logger = options.logger;
    this.roomOptions = options.roomOptions ?? {};
    this.started = options.pool.then((pool) => {
      this.pool = pool;
      if (!pool) this.failure = options.unavailableReason;
      pool?.on('roomsLost', ({ roomIds }) => {
        for (const roomId of roomIds) this.emit('roomLost', roomId);
      });
    });
  }

  /** Resolves once the pool runs or has failed. */
  ready(): Promise<void> {
    return this.started;
  }

  get running(): WorkerPool | null {
    return this.pool;
  }

  /** Throws `media_unavailable` (with why) unless the pool runs. */
  requirePool(): WorkerPool {
    if (!this.pool) throw new MediaUnavailableError(this.failure ?? 'the media servers are starting; try again');
    return this.pool;
  }

  createRoom(roomId: string): Promise<Room> {
    return this.requirePool().createRoom(roomId, this.roomOptions);
  }

  /**
   * A room on a live worker for one whose worker died, tried a few times with a growing pause;
   * `use` wires the new room up (its failure counts as a failed attempt).
   */
  async recreate(roomId: string, options: RecreateOptions): Promise<RecreateOutcome> {
    for (let attempt = 0; attempt < options.attempts && this.pool && !this.closing; attempt++) {
      if (!options.wanted()) return 'unwanted';
      try {
        const room = await this.pool.createRoom(roomId, this.roomOptions);
        if (!options.wanted()) {
          room.close();
          return 'unwanted';
        }
        await options.use(room);
        return 'recreated';
      } catch (err) {
        this.logger.warn({ err, roomId, attempt }, 're-creating media failed; retrying');
        await new Promise((r) => setTimeout(r, 250 * (attempt + 1)));
      }
    }
    return 'failed';
  }

  /** Shutdown: no more re-creating (the node stops the workers after the feature closed). */
  close(): void {
    this.closing = true;
  }
}
