import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';

/** Lowers an ffmpeg's priority (media forwarding comes first); where that is not allowed it runs at normal priority. */
export function lowerFfmpegPriority(child: ChildProcess, nice: number | undefined): void {
  if (!child.pid || !nice) return;
  try {
    os.setPriority(child.pid, nice);
  } catch {
    /* not allowed here: runs at normal priority */
  }
}

/**
 * A long-running ffmpeg fed over stdin commands (`q` to stop): started at lowered priority, its
 * stdin errors (it exited first) ignored, stderr piped for its log.
 */
export function spawnFfmpeg(ffmpegPath: string, args: string[], options: { cwd: string; stdout: 'pipe' | 'ignore'; nice?: number }): ChildProcess {
  const child = spawn(ffmpegPath, args, { cwd: options.cwd, stdio: ['pipe', options.stdout, 'pipe'] });
  lowerFfmpegPriority(child, options.nice);
  child.stdin?.on('error', () => undefined);
  return child;
}
