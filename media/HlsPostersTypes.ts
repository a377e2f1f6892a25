export interface HlsPostersOptions {
  /** The ffmpeg binary. */
  ffmpegPath: string;
  /** The stream's HLS folder: the poster goes there, the segments are read from `rendition`. */
  outDir: string;
  /** Folder of the rendition the posters are taken from (the top one). */
  rendition: string;
  /** Seconds between posters at least. */
  everySeconds: number;
  /** Poster height at most (a smaller source keeps its own). */
  height: number;
  /** Scheduling niceness of the poster's ffmpeg. */
  nice?: number;
  log?: (level: 'info' | 'warn' | 'error', message: string, details?: Record<string, unknown>) => void;
}
