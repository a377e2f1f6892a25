import type { Room } from './Room';

export type RecorderLog = (level: 'info' | 'warn' | 'error', message: string, details?: Record<string, unknown>) => void;

export interface CallRecorderOptions {
  /** The ffmpeg binary (segments, the final MP4 and its poster frame). */
  ffmpegPath: string;
  /** A folder of this recording's own: segments and their SDP files go there. */
  workDir: string;
  /** The call's media now: null while it is being re-created after its worker died. */
  room: () => Room | null;
  /** Output canvas (even numbers) and frame rate. Default 960x540 at 15 fps. */
  width?: number;
  height?: number;
  fps?: number;
  /** How often the producers are looked at (ms). Default 500. */
  pollMs?: number;
  /** Scheduling niceness of ffmpeg (calls keep the CPU first). */
  nice?: number;
  log?: RecorderLog;
}

/** One tile or voice in a segment: the producer and where its stream sits in the SDP. */
export interface SegmentInput {
  producerId: string;
  kind: 'audio' | 'video';
  /** Stream index in ffmpeg's SDP input. */
  index: number;
}

/** What the finished recording is. */
export interface RecordingOutput {
  /** The MP4 (H.264 + AAC, faststart). */
  file: string;
  /** Segments that went into it (a new one each time the producers changed or the media moved). */
  segments: number;
}

export type CallRecorderEvents = {
  /** A segment's ffmpeg started, recording these producers. */
  segment: [event: { index: number; videos: number; audios: number }];
  /** A segment's ffmpeg ended when nobody asked it to: the next one continues after a gap. */
  crashed: [event: { index: number; code: number | null; signal: string | null }];
};
