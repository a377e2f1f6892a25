import { execFile } from 'node:child_process';
import { readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import type { HlsPostersOptions } from './HlsPostersTypes';
import { lowerFfmpegPriority } from './ffmpegProcess';

/** The stream's poster in its HLS folder (a JPEG of the top rendition). */
export const POSTER = 'poster.jpg';
const POSTER_TEMP = 'poster.tmp.jpg';
/** How often the playlist is looked at for a newer segment (the first poster comes early). */
const LOOK_MS = 1000;
/** A poster's ffmpeg that takes longer is stopped (the next look tries again). */
const FFMPEG_TIMEOUT_MS = 10_000;

/**
 * A stream's poster: every few seconds, the first frame (a keyframe: every segment starts with one)
 * of the newest complete segment of the top rendition, scaled down, as a JPEG written atomically.
 * A short ffmpeg of its own per poster, apart from the transcoder's: as a second output of the
 * transcoder's ffmpeg (an fps=1/5 branch of its filter graph), the ffmpeg started again after the
 * stream's media moved wrote no more segments (test/e2e/live.test.ts); from a written segment the
 * poster depends on nothing but the playlist, whatever the source and however ffmpeg restarts.
 */
export class HlsPosters {
  private timer: NodeJS.Timeout | null = null;
  private busy = false;
  private lastSegment = '';
  private lastAt = 0;

  constructor(private readonly options: HlsPostersOptions) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.look(), LOOK_MS);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private async look(): Promise<void> {
    const o = this.options;
    if (this.busy || Date.now() - this.lastAt < o.everySeconds * 1000) return;
    this.busy = true;
    try {
      const playlist = await readFile(path.join(o.outDir, o.rendition, 'index.m3u8'), 'utf8').catch(() => '');
      const segment = newestSegment(playlist);
      if (!segment || segment === this.lastSegment) return;
      // Tried once per segment and period, made or not: a failing ffmpeg is not run every second.
      this.lastSegment = segment;
      this.lastAt = Date.now();
      await this.make(path.join(o.outDir, o.rendition, segment));
    } catch (err) {
      o.log?.('warn', 'poster not made', { err: (err as Error).message });
    } finally {
      this.busy = false;
    }
  }

  private async make(segment: string): Promise<void> {
    const o = this.options;
    const temp = path.join(o.outDir, POSTER_TEMP);
    const args = [
      '-hide_banner', '-nostats', '-loglevel', 'error', '-i', segment,
      '-map', '0:v:0', '-frames:v', '1', '-vf', `scale=-2:'min(${o.height},ih)'`,
      '-c:v', 'mjpeg', '-q:v', '5', '-f', 'image2', '-update', '1', '-y', temp,
    ];
    await new Promise<void>((resolve, reject) => {
      const child = execFile(o.ffmpegPath, args, { timeout: FFMPEG_TIMEOUT_MS, killSignal: 'SIGKILL' }, (err, _stdout, stderr) =>
        err ? reject(new Error(`${err.message} ${String(stderr).trim().slice(0, 300)}`)) : resolve(),
      );
      lowerFfmpegPriority(child, o.nice);
    });
    await rename(temp, path.join(o.outDir, POSTER));
  }
}

/** The last segment a media playlist lists (complete: ffmpeg lists a segment once written). */
function newestSegment(playlist: string): string | null {
  const uris = playlist.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  return uris.at(-1) ?? null;
}
