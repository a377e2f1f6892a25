// Staleness checks of the build scripts (web client, server): the newest file under a path.
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** Newest modification time under `target` (a file or a folder), with the file that has it; `skipped` folders are not entered. */
export function newestFile(target, skipped = new Set()) {
  if (skipped.has(target) || !existsSync(target)) return { time: 0, file: '' };
  const stat = statSync(target);
  if (!stat.isDirectory()) return { time: stat.mtimeMs, file: target };
  let best = { time: 0, file: '' };
  for (const entry of readdirSync(target)) {
    const found = newestFile(path.join(target, entry), skipped);
    if (found.time > best.time) best = found;
  }
  return best;
}
