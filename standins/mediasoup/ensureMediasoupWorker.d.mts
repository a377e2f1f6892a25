// Types for ensureMediasoupWorker.mjs (plain ESM, so TypeScript callers get checked signatures).
export interface EnsureMediasoupWorkerOptions {
  /** Progress sink, one line per call. Default: stderr with a "[mediasoup-worker]" prefix. */
  log?: (line: string) => void;
  /** Ignore existing binaries and build from source again (default: COOKIM_MEDIASOUP_REBUILD=1). */
  rebuild?: boolean;
  /** Try mediasoup's prebuilt download first (default: true unless MEDIASOUP_SKIP_WORKER_PREBUILT_DOWNLOAD). */
  download?: boolean;
  /** Symlink the cached worker into node_modules/mediasoup/worker/out/Release when free (default: true). */
  linkIntoPackage?: boolean;
  /** Keep the meson build directory (with compile_commands.json) after a successful build (default: COOKIM_MEDIASOUP_KEEP_BUILD=1). */
  keepBuild?: boolean;
}
/** Absolute path of a working mediasoup-worker; downloads or builds (and caches) it when needed. */
export function ensureMediasoupWorker(options?: EnsureMediasoupWorkerOptions): Promise<string>;
export { isWorkingWorker, mediasoupVersion } from './mediasoupPackage.mjs';
export { cacheRoot, recipeId, workerCacheDir } from './workerCache.mjs';
