// Types for downloadPrebuiltWorker.mjs (plain ESM).
export interface DownloadPrebuiltWorkerOptions {
  version: string;
  cacheDir: string;
  cachedBin: string;
  log: (line: string) => void;
}
/** True when a working prebuilt worker is now at cachedBin; false when the local build should take over. */
export function downloadPrebuiltWorker(options: DownloadPrebuiltWorkerOptions): Promise<boolean>;
/** The bytes of the first regular file named `wanted` (base name) in a (gzipped) tarball, or null. */
export function extractFileFromTarball(tarball: Buffer, wanted: string): Promise<Buffer | null>;
