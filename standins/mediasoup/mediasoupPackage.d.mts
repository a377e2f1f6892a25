// Types for mediasoupPackage.mjs (plain ESM).
/** node_modules/mediasoup */
export const PACKAGE_DIR: string;
/** node_modules/mediasoup/worker/out/Release/mediasoup-worker */
export const PACKAGE_BIN: string;
/** True when the binary runs and exits with code 41 (started without mediasoup). */
export function isWorkingWorker(bin: string | undefined): boolean;
/** Version of the installed node_modules/mediasoup. */
export function mediasoupVersion(): string;
/** Symlinks the package's worker path to `target` when that path is free or already a symlink. */
export function linkPackageBin(target: string, log: (line: string) => void): void;
