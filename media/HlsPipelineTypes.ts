import type { types } from 'mediasoup';
import type { HlsRendition } from './HlsTranscoderTypes';

export interface HlsPipelineOptions {
  router: types.Router;
  producerIds: string[];
  outDir: string;
  ffmpegPath: string;
  renditions: HlsRendition[];
  segmentSeconds: number;
  threads?: number;
  /** An H.264 source at the top rendition's height is copied into it (default true). */
  copyH264?: boolean;
  /** Seconds between posters (poster.jpg, from the top rendition's segments: HlsPosters); 0: none. Default 5. */
  posterSeconds?: number;
  nice?: number;
  /**
   * Low-latency HLS of the top rendition beside the classic playlists (LlHlsPackager, from a tap
   * of its own): `dir` its folder (`ll.m3u8` goes beside it), `partSeconds` the part target.
   */
  llHls?: { dir: string; partSeconds: number };
  log?: (level: 'info' | 'warn' | 'error', message: string, details?: Record<string, unknown>) => void;
}

/** `copy`: the top rendition is the source's H.264 as sent; `encode`: every rendition is encoded. */
export type HlsPipelineMode = 'copy' | 'encode';

export type HlsPipelineEvents = {
  playable: [];
  restarted: [event: { attempt: number }];
  failed: [error: Error];
};
