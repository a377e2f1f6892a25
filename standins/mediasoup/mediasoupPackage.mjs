// The installed mediasoup package: its version, where it looks for its worker binary, and whether a
// binary is a working worker. Plain Node ESM (runs before tsx is available).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const PACKAGE_DIR = path.join(PROJECT_ROOT, 'node_modules', 'mediasoup');
/** Where `import 'mediasoup'` looks for the worker when MEDIASOUP_WORKER_BIN is not set. */
export const PACKAGE_BIN = path.join(PACKAGE_DIR, 'worker', 'out', 'Release', 'mediasoup-worker');
/** A worker run by hand (not by mediasoup) exits with this code: proof that it loads and starts. */
const WORKER_NOT_LAUNCHED_BY_MEDIASOUP = 41;

/** True when `bin` runs and exits with 41, like every mediasoup-worker started by hand. */
export function isWorkingWorker(bin) {
  if (!bin) return false;
  try {
    fs.accessSync(bin, fs.constants.X_OK);
  } catch {
    return false;
  }
  const res = spawnSync(bin, [], { env: {}, stdio: 'ignore', timeout: 10_000 });
  return res.status === WORKER_NOT_LAUNCHED_BY_MEDIASOUP;
}

export function mediasoupVersion() {
  const pkgFile = path.join(PACKAGE_DIR, 'package.json');
  if (!fs.existsSync(pkgFile)) {
    throw new Error(`mediasoup is not installed (${pkgFile} is missing); run npm install first`);
  }
  return JSON.parse(fs.readFileSync(pkgFile, 'utf8')).version;
}

/** node_modules/mediasoup/worker/out/Release/mediasoup-worker -> target, unless a real file is there. */
export function linkPackageBin(target, log) {
  let existing = null;
  try {
    existing = fs.lstatSync(PACKAGE_BIN);
  } catch {
    // free
  }
  if (existing && !existing.isSymbolicLink()) return;
  if (existing && fs.readlinkSync(PACKAGE_BIN) === target) return;
  try {
    fs.mkdirSync(path.dirname(PACKAGE_BIN), { recursive: true });
    if (existing) fs.unlinkSync(PACKAGE_BIN);
    fs.symlinkSync(target, PACKAGE_BIN);
  } catch (err) {
    log(`could not link ${PACKAGE_BIN} -> ${target}: ${err.message} (set MEDIASOUP_WORKER_BIN instead)`);
  }
}
