/** Options, listener and results of CallMedia (lib/callMedia.ts). */
import type { types as mc } from 'mediasoup-client';
import type { CallClientEvents, MediaSource } from '@protocol';
import type { LocalDevices } from './localMedia';
import type { HandlerName } from './mediasoupDevice';
import type { ReconnectPolicy } from './reconnectPolicy';
import type { RequestPayload, RequestResult } from './socketRequest';

type CallEvent = keyof CallClientEvents;
export type CallPayload<E extends CallEvent> = RequestPayload<E>;
export type CallResult<E extends CallEvent> = RequestResult<E>;
/** Sends one call request over the socket and resolves with its answer (rejects with `{ error }` answers). */
export type CallRequest = <E extends CallEvent>(event: E, payload: CallPayload<E>) => Promise<CallResult<E>>;
export type TransportDirection = 'send' | 'recv';
export type ConnectionState = mc.ConnectionState;

/** A remote track, as the views need it. */
export interface RemoteMedia {
  consumerId: string;
  producerId: string;
  uid: string;
  kind: 'audio' | 'video';
  source: MediaSource;
  track: MediaStreamTrack;
  /** Several spatial layers: the receiver may choose one (call:consumer:setLayers). */
  simulcast: boolean;
}

export interface CallMediaListener {
  remoteAdded(media: RemoteMedia): void;
  remoteRemoved(consumerId: string): void;
  /** Local tracks or their on/off state changed (previews, control buttons). */
  localChanged(): void;
  transportState(direction: TransportDirection, state: ConnectionState): void;
  /** The media could not be kept up by ICE restarts: join the call again. */
  failed(reason: string): void;
}

export interface CallMediaOptions {
  /** Set once the call is known (local media may open before call:start answers). */
  callid: string;
  selfUid: string;
  request: CallRequest;
  listener: CallMediaListener;
  policy?: () => ReconnectPolicy;
  /** Where tracks come from: the browser's devices by default (null: none usable). */
  devices?: LocalDevices | null;
  /** mediasoup-client's handler: detected from the browser by default. */
  handlerName?: HandlerName;
  /**
   * Video consumers stay paused until the views show them (setFlowing): tiles off screen cost no
   * bandwidth (S28). Off by default: every consumer flows once wired up.
   */
  videoOnDemand?: boolean;
}

/** One inbound-rtp entry of the receive transport, with the consumer it belongs to where known. */
export interface InboundStats {
  ssrc: number;
  packetsReceived: number;
  /** Who sends it and which of their sources (absent for an SSRC no open consumer has). */
  uid?: string;
  source?: MediaSource;
}

export interface InboundVideo extends InboundStats {
  framesDecoded: number;
  frameWidth: number;
  frameHeight: number;
}

export interface InboundAudio extends InboundStats {
  audioLevel: number;
}

export interface CallMediaStats {
  video: InboundVideo[];
  audio: InboundAudio[];
  recvState: string;
  sendState: string;
}
