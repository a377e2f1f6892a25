import fs from 'node:fs';
import path from 'node:path';
import type { SupervisedServerInfo } from './supervisedProcessTypes';

/**
 * <dir>/server.json: where a supervised development server listens and which process runs it.
 * Written atomically by the server once it listens, removed by the same process when it stops.
 */
export function serverInfoFile(dir: string): string {
  return path.join(dir, 'server.json');
}

/** The server.json of `dir`, or null when it is missing, unreadable or lacks an integer port and pid. */
export function readServerInfo<I extends SupervisedServerInfo>(dir: string): I | null {
  try {
    const info = JSON.parse(fs.readFileSync(serverInfoFile(dir), 'utf8')) as I;
    return Number.isInteger(info.port) && Number.isInteger(info.pid) ? info : null;
  } catch {
    return null;
  }
}

/** Replaces server.json in one rename, so a reader never sees half a file. */
export function writeServerInfo(dir: string, info: SupervisedServerInfo): void {
  const file = serverInfoFile(dir);
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(info));
  fs.renameSync(tmp, file);
}

/** Removes server.json when this process wrote it (a successor may already have replaced it). */
export function removeOwnServerInfo(dir: string): void {
  try {
    if (readServerInfo(dir)?.pid === process.pid) fs.unlinkSync(serverInfoFile(dir));
  } catch {
    // Nothing to clean up.
  }
}
