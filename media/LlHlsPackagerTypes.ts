export interface LlHlsPackagerOptions {
  ffmpegPath: string;
  /** The folder of the LL playlist, its init segments, parts and segments. */
  outDir: string;
  /** The RTP input (an RtpTap's sdp()). */
  sdp: string;
  hasAudio: boolean;
  hasVideo: boolean;
  /** The rendition packaged (the top one): its height at most and video bits per second. */
  height: number;
  videoBitrate: number;
  /** The source's H.264 is copied (the pipeline's `copy` mode), else encoded. */
  copyVideo: boolean;
  /** Segment length aimed at (s): a keyframe, and so a new segment, every this often. */
  segmentSeconds: number;
  /** PART-TARGET (s); parts come out a frame or so shorter. */
  partSeconds: number;
  threads?: number;
  nice?: number;
  maxRestarts?: number;
  log?: (level: 'info' | 'warn' | 'error', message: string, details?: Record<string, unknown>) => void;
}

export type LlHlsPackagerEvents = {
  /** A part was written and listed. */
  part: [event: { msn: number; part: number; independent: boolean }];
  /** ffmpeg's decoder is waiting for (or lost) a keyframe: ask the publisher for one. */
  keyframeNeeded: [];
  /** ffmpeg exited unexpectedly and was started again (its parts follow a discontinuity). */
  restarted: [event: { attempt: number }];
  /** ffmpeg kept crashing: no more LL output (the classic playlists go on). */
  failed: [error: Error];
};
