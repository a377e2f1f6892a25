export { WorkerPool } from './WorkerPool';
export type { WorkerPoolEvents, WorkerPoolOptions } from './WorkerPoolTypes';
export { MediaWorker, loadMediasoup } from './MediaWorker';
export type { MediaWorkerInfo, MediaWorkerOptions } from './MediaWorkerTypes';
export { Room } from './Room';
export type { ConsumerRecord, ProducerRecord, ProducerSource, RoomEvents, RoomStats, TransportDirection, WebRtcTransportParams } from './RoomTypes';
export { MediaError, MediaNotFoundError, MediaRequestError, MediaUnavailableError, RoomClosedError } from './errors';
export { callMediaCodecs } from './codecs';
