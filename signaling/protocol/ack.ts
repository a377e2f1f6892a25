/**
 * The acknowledgement every client request carries, on its own so the per-feature event maps
 * (calls.ts, live.ts) and the map that joins them (events.ts) need not import each other.
 */
import type { ErrorBody } from './errors';

/** Every client request is acknowledged with its result or `{ error }`. */
export type Ack<T> = (result: T | ErrorBody) => void;
