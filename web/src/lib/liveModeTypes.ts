/** How a live stream plays (S27): real time over WebRTC, low-latency HLS, or classic HLS. */
export type LiveMode = 'rtc' | 'llhls' | 'hls';

/** Best first: the order a viewer without a choice gets, and falls back along. */
export const LIVE_MODES: readonly LiveMode[] = ['rtc', 'llhls', 'hls'];

/** A stream's signed playlist URLs and how long (seconds from now) their folder stays valid. */
export interface LiveSources {
  hls: string;
  /** The low-latency playlist, when the server makes one. */
  llHls?: string;
  expiresIn?: number;
}
