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
  nice?: number;
  log?: (level: 'info' | 'warn' | 'error', message: string, details?: Record<string, unknown>) => void;
}

export type HlsPipelineEvents = {
  playable: [];
  restarted: [event: { attempt: number }];
  failed: [error: Error];
};
