import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';

/** ffmpeg processes writing this stream (their working directory is the stream's folder). */
export function ffmpegPids(streamid: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').startsWith('ffmpeg') && path.basename(readlinkSync(`/proc/${entry}/cwd`)) === streamid) pids.push(Number(entry));
    } catch {
      /* gone, or not ours to read */
    }
  }
  return pids;
}
