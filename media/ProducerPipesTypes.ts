import type { types } from 'mediasoup';
import type { RoomRouter } from './RoomRoutersTypes';

/** A producer piped from its router to another one (mediasoup's pipe consumer/producer pair). */
export interface ProducerPipe {
  producerId: string;
  from: RoomRouter;
  to: RoomRouter;
  /** Consumers (and other holders) using the piped producer on `to`. */
  users: number;
  ready: Promise<{ pipeConsumer?: types.Consumer; pipeProducer?: types.Producer }>;
  /** Set once its last user let go: it is being closed (a new user waits and pipes again). */
  closed: Promise<void> | null;
}

/** Given back by ProducerPipes.acquire: lets go of the pipe (once; more calls do nothing). */
export type PipeRelease = () => void;
