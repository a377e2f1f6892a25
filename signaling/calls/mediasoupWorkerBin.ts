import path from 'node:path';
import { isWorkingWorker, workerCacheDir } from '../../standins';

/**
 * Points mediasoup at a working worker binary (MEDIASOUP_WORKER_BIN, read once when mediasoup is
 * imported) before the node starts: the one named in the environment, else the one
 * standins/mediasoup/ensureMediasoupWorker.mjs built into the cache (`npm start` / `npm test` build
 * it). Cluster workers inherit the variable. Without one, mediasoup falls back to its own path and
 * calls answer media_unavailable if that does not run.
 */
export function resolveMediasoupWorkerBin(): string | undefined {
  const fromEnv = process.env.MEDIASOUP_WORKER_BIN;
  if (fromEnv && isWorkingWorker(fromEnv)) return fromEnv;
  try {
    const cached = path.join(workerCacheDir(), 'mediasoup-worker');
    if (isWorkingWorker(cached)) {
      process.env.MEDIASOUP_WORKER_BIN = cached;
      return cached;
    }
  } catch {
    /* mediasoup not installed */
  }
  return undefined;
}
