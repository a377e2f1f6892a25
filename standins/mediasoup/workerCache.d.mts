// Types for workerCache.mjs (plain ESM).
/** ${XDG_CACHE_HOME:-~/.cache}/cookim */
export function cacheRoot(): string;
/** <cacheRoot>/mediasoup-worker-<version>-<recipeId>: the cache key includes the build recipe. */
export function workerCacheDir(version?: string): string;
/** r<RECIPE_REVISION>-<hash of standins/mediasoup/{subprojects,shims,patches}>. */
export function recipeId(version?: string): string;
/** sha256 (hex) of the recipe revision, the version and the recipe files. */
export function buildFingerprint(version: string): string;
/** True for a path inside the cache root that is not `current` (a worker of another recipe). */
export function isStaleCachePath(bin: string, current: string): boolean;
/** Writes the binary (bytes or a file path) to <cacheDir>/mediasoup-worker atomically. */
export function installBinary(source: Buffer | string, cacheDir: string, cachedBin: string): void;
/** Writes <cacheDir>/info.json. */
export function writeInfo(cacheDir: string, info: Record<string, unknown>): void;
