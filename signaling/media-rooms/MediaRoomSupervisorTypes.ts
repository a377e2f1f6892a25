import type { Logger } from 'pino';
import type { Room, RoomOptions, WorkerPool } from '../../media';

export interface MediaRoomSupervisorOptions {
  /** The shared pool, null once it failed to start. */
  pool: Promise<WorkerPool | null>;
  /** Answered with `media_unavailable` when the pool did not start. */
  unavailableReason: string;
  logger: Logger;
  /** How this feature's rooms are made (calls spread over the workers, live streams do not). */
  roomOptions?: RoomOptions;
}

export interface RecreateOptions {
  attempts: number;
  /** Whether the room is still needed (its call or stream may end meanwhile). */
  wanted(): boolean;
  use(room: Room): Promise<void> | void;
}

export type RecreateOutcome = 'recreated' | 'unwanted' | 'failed';

export type MediaRoomSupervisorEvents = {
  /** A room of the pool was lost with its worker (every feature hears of every room of the pool). */
  roomLost: [roomId: string];
};
