import { execFile } from 'node:child_process';
import { stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { MediaError } from './errors';

/** Segments smaller than this hold no picture (ffmpeg died before its first frames). */
const MIN_SEGMENT_BYTES = 2048;

function run(ffmpegPath: string, args: string[], cwd: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(ffmpegPath, args, { cwd, timeout: timeoutMs, maxBuffer: 4 * 1024 * 1024 }, (err, _out, stderr) => {
      if (err) reject(new MediaError('recording_failed', `ffmpeg: ${String(stderr).trim().split('\n').slice(-3).join(' ') || err.message}`));
      else resolve();
    });
  });
}

/** The segments that hold media, in order. */
export async function usableSegments(files: string[]): Promise<string[]> {
  const sizes = await Promise.all(files.map((f) => stat(f).then((s) => s.size, () => 0)));
  return files.filter((_, i) => sizes[i]! >= MIN_SEGMENT_BYTES);
}

/**
 * Joins a recording's segments (same formats, so no encoding) into one MP4 with its index at the
 * front (faststart: it plays while it downloads). The gaps between segments are left out.
 */
export async function joinSegments(ffmpegPath: string, segments: string[], out: string): Promise<void> {
  if (!segments.length) throw new MediaError('recording_empty', 'the recording holds no media');
  const dir = path.dirname(segments[0]!);
  const list = path.join(dir, 'segments.txt');
  await writeFile(list, segments.map((s) => `file '${path.basename(s)}'`).join('\n') + '\n');
  await run(
    ffmpegPath,
    ['-hide_banner', '-nostats', '-loglevel', 'error', '-y', '-f', 'concat', '-safe', '0', '-i', list, '-map', '0:v:0', '-map', '0:a:0', '-c', 'copy', '-bsf:a', 'aac_adtstoasc', '-movflags', '+faststart', '-f', 'mp4', out],
    dir,
    120_000,
  );
}

/** A still of the recording (a second in, or its first frame) for its thumbnail. */
export async function posterFrame(ffmpegPath: string, video: string, out: string): Promise<void> {
  const dir = path.dirname(out);
  const grab = (seek: string) =>
    run(ffmpegPath, ['-hide_banner', '-nostats', '-loglevel', 'error', '-y', '-ss', seek, '-i', video, '-frames:v', '1', '-f', 'image2', '-c:v', 'png', out], dir, 30_000);
  await grab('1').catch(() => grab('0'));
  // ffmpeg succeeds without writing when the seek lands past the end.
  if ((await stat(out).catch(() => null))?.size) return;
  await grab('0');
}
