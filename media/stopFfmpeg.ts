import type { ChildProcess } from 'node:child_process';

/**
 * Ends an ffmpeg gracefully so it finishes its outputs (the HLS muxer writes ENDLIST, the MP4
 * muxer its last fragment): `q` on stdin and SIGINT, then SIGKILL after `graceMs`. ffmpeg
 * finishes at once while RTP flows; when the publisher already stopped sending it would sit in
 * its input read for 10 s, so the grace is short: only the unfinished segment is lost then.
 * Resolves once the process closed (its stdout read to the end), at once when it is not running.
 */
export async function stopFfmpeg(child: ChildProcess | null, graceMs: number): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const closed = new Promise<void>((resolve) => {
    child.once('close', () => resolve());
    child.once('error', () => resolve());
  });
  child.stdin?.end('q');
  child.kill('SIGINT');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await closed;
  clearTimeout(timer);
}
