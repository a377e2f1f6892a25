import type { Logger } from 'pino';
import type { Room, WorkerPool } from '../../media';

export interface MediaRoomSupervisorOptions {
  /** The shared pool, null once it failed to start. */
  pool: Promise<WorkerPool | null>;
  /** Answered with `media_unavailable` when the pool did not start. */
  unavailableReason: string;
  logger: Logger;
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
