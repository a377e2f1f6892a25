// The worker cache under ${XDG_CACHE_HOME:-~/.cache}/cookim and its key: the mediasoup version plus
// the identity of the build recipe, so a changed recipe makes every machine rebuild while an
// unchanged one keeps reusing the cached worker (locally and in CI).
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { mediasoupVersion } from './mediasoupPackage.mjs';

/** standins/mediasoup: the recipe's files are hashed by their paths relative to it. */
const RECIPE_ROOT = path.dirname(fileURLToPath(import.meta.url));
// Bump when the build recipe (flags, steps in buildWorkerFromSource.mjs, prepareWorkerSources.mjs)
// changes: it is part of the cache key, so every machine then rebuilds instead of reusing a worker
// made by the old recipe. Changes to the files in subprojects/, shims/ and patches/ change the key
// by themselves (they are hashed).
// 2: patches/0001 (DTLS crash with Debian's kTLS-enabled libssl3).
const RECIPE_REVISION = 2;
const RECIPE_DIRS = ['subprojects', 'shims', 'patches'];

export function cacheRoot() {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'cookim');
}

/**
 * Directory that holds the worker for `version` made by the current recipe:
 * <cacheRoot>/mediasoup-worker-<version>-r<RECIPE_REVISION>-<hash of the recipe files>.
 */
export function workerCacheDir(version = mediasoupVersion()) {
  return path.join(cacheRoot(), `mediasoup-worker-${version}-${recipeId(version)}`);
}

/** Short, readable identity of the build recipe: r<revision>-<first 10 hex of the fingerprint>. */
export function recipeId(version = mediasoupVersion()) {
  return `r${RECIPE_REVISION}-${buildFingerprint(version).slice(0, 10)}`;
}

function listFiles(dir) {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name)) : [path.join(dir, e.name)]))
    .sort();
}

/** Identifies the inputs of a build (also stamps a build directory, so an interrupted one resumes safely). */
export function buildFingerprint(version) {
  const hash = createHash('sha256');
  hash.update(`${RECIPE_REVISION}\0${version}\0`);
  for (const dir of RECIPE_DIRS) {
    const full = path.join(RECIPE_ROOT, dir);
    if (!fs.existsSync(full)) continue;
    for (const file of listFiles(full)) {
      hash.update(path.relative(RECIPE_ROOT, file)).update('\0').update(fs.readFileSync(file)).update('\0');
    }
  }
  return hash.digest('hex');
}

/** True for a path inside our cache root that is not `current` (a worker of another recipe). */
export function isStaleCachePath(bin, current) {
  let real;
  try {
    real = fs.realpathSync(bin);
  } catch {
    return false;
  }
  let root;
  try {
    root = fs.realpathSync(cacheRoot());
  } catch {
    return false;
  }
  const rel = path.relative(root, real);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return false;
  try {
    return real !== fs.realpathSync(current);
  } catch {
    return true;
  }
}

/** Writes `source` (a Buffer or a file path) to <cacheDir>/mediasoup-worker atomically. */
export function installBinary(source, cacheDir, cachedBin) {
  fs.mkdirSync(cacheDir, { recursive: true });
  const tmp = `${cachedBin}.tmp-${process.pid}`;
  if (Buffer.isBuffer(source)) fs.writeFileSync(tmp, source);
  else fs.copyFileSync(source, tmp);
  fs.chmodSync(tmp, 0o755);
  fs.renameSync(tmp, cachedBin);
}

/** <cacheDir>/info.json: where the cached worker came from. */
export function writeInfo(cacheDir, info) {
  fs.writeFileSync(
    path.join(cacheDir, 'info.json'),
    `${JSON.stringify({ ...info, createdAt: new Date().toISOString() }, null, 2)}\n`,
  );
}
