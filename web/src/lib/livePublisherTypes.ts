/** Options, listener and numbers of LivePublisher (lib/livePublisher.ts). */
import type { types as mc } from 'mediasoup-client';
import type { LiveClientEvents } from '@protocol';
import type { LocalDevices } from './localMedia';
import type { HandlerName } from './mediasoupDevice';
import type { RequestPayload, RequestResult } from './socketRequest';

export type LiveSource = 'camera' | 'screen';
export type LiveRequest = <E extends keyof LiveClientEvents>(event: E, payload: RequestPayload<E>) => Promise<RequestResult<E>>;
export type TransportState = mc.ConnectionState;

export interface PublisherListener {
  /** Tracks changed (preview), or the screen share was ended from the browser's own bar. */
  localChanged(): void;
  transportState(state: TransportState): void;
}

export interface LivePublisherOptions {
  /** Where tracks come from: the browser's devices by default (null: none usable). */
  devices?: LocalDevices | null;
  /** mediasoup-client's handler: detected from the browser by default. */
  handlerName?: HandlerName;
}

export interface UplinkStats {
  /** Outgoing video, bits per second since the previous sample (null on the first one). */
  videoBitrate: number | null;
  /** Fraction of packets the server's receiver reports lost, 0..1. */
  loss: number;
  /** Why the browser holds the video back: 'bandwidth', 'cpu' or 'none'. */
  limitation: string;
  /** Round trip to the server, ms (null until the server reported). */
  roundTripMs: number | null;
}
