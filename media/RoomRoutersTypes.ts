import type { types } from 'mediasoup';
import type { MediaWorker } from './MediaWorker';

/** One of a room's routers: the room's part on one worker. */
export interface RoomRouter {
  worker: MediaWorker;
  router: types.Router;
}

/** Where a room may put its routers. */
export interface RoomWorkerSource {
  /** The pool's live workers, any order. */
  liveWorkers(): MediaWorker[];
}

export type RoomRoutersEvents = {
  /** A router died with its worker (never emitted for routers the room closed itself). */
  lost: [lost: RoomRouter];
};
