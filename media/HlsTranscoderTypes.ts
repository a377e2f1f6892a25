export interface HlsRendition {
  /** Folder and name of the variant (`720p`). */
  name: string;
  /** Output height at most (a smaller source keeps its own). */
  height: number;
  /** Video bits per second. */
  videoBitrate: number;
}

export interface HlsTranscoderOptions {
  /** The ffmpeg binary. */
  ffmpegPath: string;
  /** Where master.m3u8 and one folder per rendition go. */
  outDir: string;
  /** The RTP input (see RtpTap.sdp()). */
  sdp: string;
  hasAudio: boolean;
  hasVideo: boolean;
  renditions: HlsRendition[];
  /** Target segment length (seconds). */
  segmentSeconds: number;
  /** Encoder threads per rendition (bounds ffmpeg's CPU use). */
  threads?: number;
  /** Scheduling niceness of ffmpeg (chat and calls keep the CPU first). */
  nice?: number;
  /** The top rendition is the source's H.264 copied (not decoded and encoded again). */
  copyTopVideo?: boolean;
  /** Consecutive crashes tolerated before the transcoder gives up. */
  maxRestarts?: number;
  log?: (level: 'info' | 'warn' | 'error', message: string, details?: Record<string, unknown>) => void;
}

export type HlsTranscoderEvents = {
  /** This run's first segment of the first rendition is in its playlist: the stream is playable. */
  playable: [];
  /** ffmpeg's decoder is waiting for (or lost) a keyframe: ask the publisher for one. */
  keyframeNeeded: [];
  /** ffmpeg exited unexpectedly and was started again (the playlist continues after a discontinuity). */
  restarted: [event: { attempt: number; code: number | null; signal: string | null }];
  /** ffmpeg kept crashing: the transcoder stopped. */
  failed: [error: Error];
};
