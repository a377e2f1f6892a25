// Types for applyWorkerPatches.mjs (plain ESM).
/** A patch no longer matches mediasoup's sources. */
export class WorkerPatchError extends Error {}
/** Applies <patchDir>/*.patch to the sources under workerDir; answers the patched files (relative). */
export function applyWorkerPatches(workerDir: string, log: (line: string) => void, patchDir?: string): string[];
