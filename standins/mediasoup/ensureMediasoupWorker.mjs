// Makes sure a working `mediasoup-worker` binary exists for the installed mediasoup package and
// returns its absolute path. Plain Node ESM (runs before tsx is available).
//
// Usage from code (the worker path must be in the environment BEFORE mediasoup is imported, since
// mediasoup resolves the binary once, when its Worker module loads):
//
//   import { ensureMediasoupWorker } from '../standins/mediasoup/ensureMediasoupWorker.mjs';
//   process.env.MEDIASOUP_WORKER_BIN = await ensureMediasoupWorker({ log: (line) => console.error(line) });
//   const mediasoup = await import('mediasoup');
//
// Usage from a shell (progress on stderr, the path on stdout):
//
//   node standins/mediasoup/ensureMediasoupWorker.mjs [--rebuild] [--no-download] [--no-link] [--keep-build]
//
// Where the binary comes from, first match wins:
//   1. $MEDIASOUP_WORKER_BIN, when it points at a working binary;
//   2. the cache, ${XDG_CACHE_HOME:-~/.cache}/cookim/mediasoup-worker-<version>-<recipe>/mediasoup-worker,
//      where <recipe> identifies the build recipe (RECIPE_REVISION below plus a hash of
//      subprojects/, shims/ and patches/), so changing the recipe makes every machine rebuild;
//   3. mediasoup's own node_modules/mediasoup/worker/out/Release/mediasoup-worker (unless it is a
//      symlink into our cache left from an older recipe);
//   4. mediasoup's prebuilt release tarball (GitHub), fetched with a short timeout, into the cache;
//   5. a local build of node_modules/mediasoup/worker against Debian's libraries (apt-get installs
//      what is missing), done in a copy under the cache directory so node_modules stays pristine:
//      meson subprojects are replaced by the stand-ins in standins/mediasoup/subprojects/ (system
//      libraries through pkg-config), libsrtp 3 calls are mapped onto libsrtp2 by
//      standins/mediasoup/shims/srtp.h, and the unified diffs in standins/mediasoup/patches/ are applied
//      to the copied sources (see the comments inside them). About 5-6 minutes on 2 cores.
// The pieces, one file each: mediasoupPackage.mjs (the installed package, "is this a working worker"),
// workerCache.mjs (cache directory and recipe key), workerLock.mjs, downloadPrebuiltWorker.mjs,
// buildWorkerFromSource.mjs with buildTools.mjs, prepareWorkerSources.mjs and applyWorkerPatches.mjs.
// "Working" means a bare run exits with code 41 (the worker's "not launched by mediasoup" code).
// A lock file next to the cache directory keeps concurrent callers from building twice.
// After success a symlink node_modules/mediasoup/worker/out/Release/mediasoup-worker -> cache is
// created when that path is free, so `import 'mediasoup'` also works without the env variable.
//
// Environment: MEDIASOUP_WORKER_BIN (use this binary; ignored when it points into our cache at a
// worker of an older recipe), COOKIM_MEDIASOUP_REBUILD=1 (same as --rebuild),
// COOKIM_MEDIASOUP_KEEP_BUILD=1 (same as --keep-build: keep the meson build directory, with
// compile_commands.json, after a successful build), MEDIASOUP_SKIP_WORKER_PREBUILT_DOWNLOAD=1 (same as --no-download),
// MEDIASOUP_WORKER_PREBUILT_DOWNLOAD_BASE_URL (mirror of the GitHub release downloads).

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildWorkerFromSource } from './buildWorkerFromSource.mjs';
import { downloadPrebuiltWorker } from './downloadPrebuiltWorker.mjs';
import { PACKAGE_BIN, isWorkingWorker, linkPackageBin, mediasoupVersion } from './mediasoupPackage.mjs';
import { cacheRoot, isStaleCachePath, workerCacheDir } from './workerCache.mjs';
import { acquireWorkerLock } from './workerLock.mjs';

export { isWorkingWorker, mediasoupVersion } from './mediasoupPackage.mjs';
export { cacheRoot, recipeId, workerCacheDir } from './workerCache.mjs';

function defaultLog(line) {
  process.stderr.write(`[mediasoup-worker] ${line}\n`);
}

/**
 * Returns the absolute path of a working mediasoup-worker, downloading or building it if needed.
 * @param {object} [options]
 * @param {(line: string) => void} [options.log] progress sink, one line per call (default: stderr)
 * @param {boolean} [options.rebuild] ignore existing binaries and build from source again
 * @param {boolean} [options.download] try mediasoup's prebuilt download before building (default true)
 * @param {boolean} [options.linkIntoPackage] symlink the result into node_modules/mediasoup (default true)
 * @param {boolean} [options.keepBuild] keep the meson build directory after a successful build
 * @returns {Promise<string>}
 */
export async function ensureMediasoupWorker({
  log = defaultLog,
  rebuild = process.env.COOKIM_MEDIASOUP_REBUILD === '1',
  download = !process.env.MEDIASOUP_SKIP_WORKER_PREBUILT_DOWNLOAD,
  linkIntoPackage = true,
  keepBuild = process.env.COOKIM_MEDIASOUP_KEEP_BUILD === '1',
} = {}) {
  const version = mediasoupVersion();
  const cacheDir = workerCacheDir(version);
  const cachedBin = path.join(cacheDir, 'mediasoup-worker');

  if (!rebuild) {
    const fromEnv = process.env.MEDIASOUP_WORKER_BIN;
    if (fromEnv) {
      if (isStaleCachePath(fromEnv, cachedBin)) {
        log(`MEDIASOUP_WORKER_BIN=${fromEnv} was built by an older recipe; using ${cacheDir} instead`);
      } else if (isWorkingWorker(fromEnv)) {
        return path.resolve(fromEnv);
      } else {
        log(`MEDIASOUP_WORKER_BIN=${fromEnv} does not run (expected exit code 41); looking elsewhere`);
      }
    }
    const ready = findReady(cachedBin);
    if (ready) return finish(ready, { cachedBin, linkIntoPackage, log });
  }

  fs.mkdirSync(cacheRoot(), { recursive: true });
  const release = await acquireWorkerLock(`${cacheDir}.lock`, log);
  try {
    // Another process may have produced it while we waited for the lock.
    if (!rebuild) {
      const ready = findReady(cachedBin);
      if (ready) return finish(ready, { cachedBin, linkIntoPackage, log });
    }
    if (download && !rebuild && (await downloadPrebuiltWorker({ version, cacheDir, cachedBin, log }))) {
      return finish(cachedBin, { cachedBin, linkIntoPackage, log });
    }
    await buildWorkerFromSource({ version, cacheDir, cachedBin, log, keepBuild });
    return finish(cachedBin, { cachedBin, linkIntoPackage, log });
  } finally {
    release();
  }
}

function findReady(cachedBin) {
  if (isWorkingWorker(cachedBin)) return cachedBin;
  // A symlink from an older recipe's cache (e.g. the DTLS-crashing build of recipe 1) does not count.
  if (!isStaleCachePath(PACKAGE_BIN, cachedBin) && isWorkingWorker(PACKAGE_BIN)) return fs.realpathSync(PACKAGE_BIN);
  return null;
}

function finish(bin, { cachedBin, linkIntoPackage, log }) {
  if (linkIntoPackage && bin === cachedBin) linkPackageBin(cachedBin, log);
  return bin;
}

// ---------------------------------------------------------------------------------------------
// Command line.

function isMain() {
  if (!process.argv[1]) return false;
  try {
    return fs.realpathSync(process.argv[1]) === fs.realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) {
  const args = new Set(process.argv.slice(2));
  const known = new Set(['--rebuild', '--no-download', '--no-link', '--keep-build', '--help']);
  const unknown = [...args].filter((a) => !known.has(a));
  if (args.has('--help') || unknown.length > 0) {
    process.stderr.write(
      'usage: node standins/mediasoup/ensureMediasoupWorker.mjs [--rebuild] [--no-download] [--no-link] [--keep-build]\n',
    );
    process.exit(unknown.length > 0 ? 2 : 0);
  }
  try {
    const bin = await ensureMediasoupWorker({
      log: defaultLog,
      ...(args.has('--rebuild') ? { rebuild: true } : {}),
      ...(args.has('--no-download') ? { download: false } : {}),
      ...(args.has('--keep-build') ? { keepBuild: true } : {}),
      linkIntoPackage: !args.has('--no-link'),
    });
    process.stdout.write(`${bin}\n`);
  } catch (err) {
    defaultLog(`failed: ${err.message}`);
    process.exit(1);
  }
}
