import { readFileSync, readlinkSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';

/** The pid of the ffmpeg writing a folder, recorded in it. */
const PID_FILE = 'ffmpeg.pid';

/**
 * Records the pid of an ffmpeg that works in `dir`, so that a process outliving its node (killed
 * with SIGKILL: ffmpeg would wait for RTP forever) can be found and stopped (killOrphanFfmpeg).
 */
export function recordFfmpegPid(dir: string, pid: number | undefined): void {
  if (pid) void writeFile(path.join(dir, PID_FILE), String(pid)).catch(() => undefined);
}

/** Stops the ffmpeg recorded in `dir`, if it still runs there; true when there was one. */
export function killOrphanFfmpeg(dir: string): boolean {
  try {
    const pid = Number(readFileSync(path.join(dir, PID_FILE), 'utf8'));
    if (!Number.isInteger(pid) || pid <= 1) return false;
    if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('ffmpeg') || readlinkSync(`/proc/${pid}/cwd`) !== dir) return false;
    process.kill(pid, 'SIGKILL');
    return true;
  } catch {
    return false;
  }
}
