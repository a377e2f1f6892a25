import type { types } from 'mediasoup';

export interface RtpTapOptions {
  router: types.Router;
  /** The producers to hand over: at most one audio and one video. */
  producerIds: string[];
  /** Address both ends use (the receiver listens there; mediasoup sends from there). */
  ip?: string;
}

/** One tapped track: where the receiver must listen and what it receives. */
export interface TappedTrack {
  kind: types.MediaKind;
  /** The receiver's RTP port (RTCP on port + 1). */
  port: number;
  payloadType: number;
  mimeType: string;
  clockRate: number;
  channels?: number;
  parameters: Record<string, unknown>;
}
