// Makes sure a working `mediasoup-worker` binary exists for the installed mediasoup package and
// returns its absolute path. Plain Node ESM, no dependencies.
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

import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const PROJECT_ROOT = path.resolve(HERE, '..', '..');
const PACKAGE_DIR = path.join(PROJECT_ROOT, 'node_modules', 'mediasoup');
const PACKAGE_BIN = path.join(PACKAGE_DIR, 'worker', 'out', 'Release', 'mediasoup-worker');
const WORKER_NOT_LAUNCHED_BY_MEDIASOUP = 41;
const DOWNLOAD_CONNECT_TIMEOUT_MS = 15_000;
const DOWNLOAD_TOTAL_TIMEOUT_MS = 120_000;
const LOCK_STALE_MS = 60 * 60 * 1000;
// Bump when the build recipe in this file changes (flags, steps): it is part of the cache key, so
// every machine then rebuilds instead of reusing a worker made by the old recipe. Changes to the
// files in subprojects/, shims/ and patches/ change the key by themselves (they are hashed).
// 2: patches/0001 (DTLS crash with Debian's kTLS-enabled libssl3).
const RECIPE_REVISION = 2;
const RECIPE_DIRS = ['subprojects', 'shims', 'patches'];

const APT_PACKAGES = [
  'meson',
  'ninja-build',
  'pkg-config',
  'g++',
  'libssl-dev',
  'libuv1-dev',
  'libsrtp2-dev',
  'libusrsctp-dev',
  'libabsl-dev',
  'libflatbuffers-dev',
  'flatbuffers-compiler',
];

function defaultLog(line) {
  process.stderr.write(`[mediasoup-worker] ${line}\n`);
}

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

/** True for a path inside our cache root that is not `current` (a worker of another recipe). */
function isStaleCachePath(bin, current) {
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
  const release = await acquireLock(`${cacheDir}.lock`, log);
  try {
    // Another process may have produced it while we waited for the lock.
    if (!rebuild) {
      const ready = findReady(cachedBin);
      if (ready) return finish(ready, { cachedBin, linkIntoPackage, log });
    }
    if (download && !rebuild && (await downloadPrebuilt({ version, cacheDir, cachedBin, log }))) {
      return finish(cachedBin, { cachedBin, linkIntoPackage, log });
    }
    await buildFromSource({ version, cacheDir, cachedBin, log, keepBuild });
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

/** node_modules/mediasoup/worker/out/Release/mediasoup-worker -> cache, unless a real file is there. */
function linkPackageBin(target, log) {
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

// ---------------------------------------------------------------------------------------------
// Lock: an exclusively created file holding {pid, host, since}. A lock whose process is gone (same
// host) or that is older than LOCK_STALE_MS is taken over.

function readLock(lockFile) {
  try {
    return JSON.parse(fs.readFileSync(lockFile, 'utf8'));
  } catch {
    return null;
  }
}

function lockIsStale(info, lockFile) {
  if (!info) {
    // Unreadable: either being written right now or garbage. Judge by age.
    try {
      return Date.now() - fs.statSync(lockFile).mtimeMs > 10_000;
    } catch {
      return true;
    }
  }
  if (Date.now() - info.since > LOCK_STALE_MS) return true;
  if (info.host !== os.hostname()) return false;
  try {
    process.kill(info.pid, 0);
    return false;
  } catch (err) {
    return err.code === 'ESRCH';
  }
}

async function acquireLock(lockFile, log) {
  let lastNotice = 0;
  for (;;) {
    try {
      const fd = fs.openSync(lockFile, 'wx');
      fs.writeSync(fd, JSON.stringify({ pid: process.pid, host: os.hostname(), since: Date.now() }));
      fs.closeSync(fd);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        process.removeListener('exit', release);
        try {
          if (readLock(lockFile)?.pid === process.pid) fs.unlinkSync(lockFile);
        } catch {
          // already gone
        }
      };
      process.on('exit', release);
      return release;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
    }
    const info = readLock(lockFile);
    if (lockIsStale(info, lockFile)) {
      log(`removing stale lock ${lockFile}`);
      try {
        fs.unlinkSync(lockFile);
      } catch {
        // someone else removed it
      }
      continue;
    }
    if (Date.now() - lastNotice > 30_000) {
      log(`waiting for another process (pid ${info?.pid ?? '?'}) that is preparing the worker (${lockFile})`);
      lastNotice = Date.now();
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

// ---------------------------------------------------------------------------------------------
// Prebuilt download: the same release asset mediasoup's postinstall fetches.

function prebuiltUrl(version) {
  const base =
    process.env.MEDIASOUP_WORKER_PREBUILT_DOWNLOAD_BASE_URL ||
    'https://github.com/versatica/mediasoup/releases/download';
  let name = `mediasoup-worker-${version}-${os.platform()}-${os.arch()}`;
  if (os.platform() === 'linux') name += `-kernel${Number(os.release().split('.')[0])}`;
  return `${base}/${version}/${name}.tgz`;
}

async function downloadPrebuilt({ version, cacheDir, cachedBin, log }) {
  const url = prebuiltUrl(version);
  log(`trying the prebuilt worker: ${url}`);
  let body;
  try {
    const controller = new AbortController();
    const connectTimer = setTimeout(() => controller.abort(new Error('no response in time')), DOWNLOAD_CONNECT_TIMEOUT_MS);
    const totalTimer = setTimeout(() => controller.abort(new Error('download too slow')), DOWNLOAD_TOTAL_TIMEOUT_MS);
    try {
      const res = await fetch(url, { signal: controller.signal, redirect: 'follow' });
      clearTimeout(connectTimer);
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      body = Buffer.from(await res.arrayBuffer());
    } finally {
      clearTimeout(connectTimer);
      clearTimeout(totalTimer);
    }
  } catch (err) {
    const reason = err.cause?.code || err.cause?.message || err.message;
    log(`prebuilt worker not available (${reason}); building from source instead`);
    return false;
  }
  try {
    const binary = extractFromTarGz(body, 'mediasoup-worker');
    if (!binary) throw new Error('no mediasoup-worker inside the archive');
    installBinary(binary, cacheDir, cachedBin);
  } catch (err) {
    log(`prebuilt worker unusable (${err.message}); building from source instead`);
    return false;
  }
  if (!isWorkingWorker(cachedBin)) {
    log('prebuilt worker does not run on this host; building from source instead');
    fs.rmSync(cachedBin, { force: true });
    return false;
  }
  writeInfo(cacheDir, { version, source: 'prebuilt', url });
  log(`prebuilt worker ready: ${cachedBin}`);
  return true;
}

/** Finds the regular file whose base name is `wanted` in a .tar.gz; returns its bytes. */
function extractFromTarGz(gz, wanted) {
  const tar = gunzipSync(gz);
  const text = (buf) => buf.toString('utf8').replace(/\0.*$/s, '');
  let offset = 0;
  let longName = null;
  while (offset + 512 <= tar.length) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break;
    const size = parseInt(text(header.subarray(124, 136)).trim() || '0', 8);
    const type = String.fromCharCode(header[156] || 0x30);
    const prefix = text(header.subarray(345, 500));
    let name = longName ?? (prefix ? `${prefix}/${text(header.subarray(0, 100))}` : text(header.subarray(0, 100)));
    longName = null;
    const data = tar.subarray(offset + 512, offset + 512 + size);
    offset += 512 + Math.ceil(size / 512) * 512;
    if (type === 'L') {
      longName = text(data);
      continue;
    }
    if (type === 'x') {
      const m = /\d+ path=([^\n]*)\n/.exec(data.toString('utf8'));
      if (m) longName = m[1];
      continue;
    }
    if ((type === '0' || type === '\0') && path.posix.basename(name) === wanted) return Buffer.from(data);
    name = null;
  }
  return null;
}

/** Writes `source` (a Buffer or a file path) to <cacheDir>/mediasoup-worker atomically. */
function installBinary(source, cacheDir, cachedBin) {
  fs.mkdirSync(cacheDir, { recursive: true });
  const tmp = `${cachedBin}.tmp-${process.pid}`;
  if (Buffer.isBuffer(source)) fs.writeFileSync(tmp, source);
  else fs.copyFileSync(source, tmp);
  fs.chmodSync(tmp, 0o755);
  fs.renameSync(tmp, cachedBin);
}

function writeInfo(cacheDir, info) {
  fs.writeFileSync(
    path.join(cacheDir, 'info.json'),
    `${JSON.stringify({ ...info, createdAt: new Date().toISOString() }, null, 2)}\n`,
  );
}

// ---------------------------------------------------------------------------------------------
// Local build against the system libraries.

/** Runs a command, passing each output line to `log`; rejects on a non-zero exit. */
function run(cmd, args, { cwd, log, env = process.env }) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const forward = (stream) => {
      let pending = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk) => {
        pending += chunk;
        const lines = pending.split(/\r?\n/);
        pending = lines.pop();
        for (const line of lines) if (line.trim()) log(`  ${line}`);
      });
      stream.on('end', () => {
        if (pending.trim()) log(`  ${pending}`);
      });
    };
    forward(child.stdout);
    forward(child.stderr);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${cmd} ${args.join(' ')} failed (${signal ?? `exit code ${code}`})`));
    });
  });
}

function commandExists(name) {
  return spawnSync('sh', ['-c', `command -v "${name}"`], { stdio: 'ignore' }).status === 0;
}

function missingAptPackages() {
  if (!commandExists('dpkg-query')) return [];
  return APT_PACKAGES.filter((pkg) => {
    const res = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
    return res.status !== 0 || !res.stdout.includes('install ok installed');
  });
}

async function ensureBuildTools(log) {
  const missing = missingAptPackages();
  if (missing.length > 0) {
    const isRoot = process.getuid?.() === 0;
    if (!isRoot || !commandExists('apt-get')) {
      throw new Error(
        `building mediasoup-worker needs the Debian packages ${missing.join(' ')}; ` +
          `install them (apt-get install ${missing.join(' ')}) or set MEDIASOUP_WORKER_BIN`,
      );
    }
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    log(`step: apt-get update`);
    await run('apt-get', ['update', '-q'], { log, env });
    log(`step: apt-get install ${missing.join(' ')}`);
    await run('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...missing], { log, env });
  }
  for (const tool of ['meson', 'ninja', 'pkg-config', 'c++', 'flatc']) {
    if (!commandExists(tool)) throw new Error(`${tool} is still missing after installing the build packages`);
  }
}

function listFiles(dir) {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name)) : [path.join(dir, e.name)]))
    .sort();
}

/** Identifies the inputs of a build, so an interrupted build dir can be resumed safely. */
function buildFingerprint(version) {
  const hash = createHash('sha256');
  hash.update(`${RECIPE_REVISION}\0${version}\0`);
  for (const dir of RECIPE_DIRS) {
    const full = path.join(HERE, dir);
    if (!fs.existsSync(full)) continue;
    for (const file of listFiles(full)) {
      hash.update(path.relative(HERE, file)).update('\0').update(fs.readFileSync(file)).update('\0');
    }
  }
  return hash.digest('hex');
}

/** `directory = ...` of a meson .wrap file: where meson looks for an already present subproject. */
function wrapDirectory(wrapFile) {
  const m = /^\s*directory\s*=\s*(\S+)\s*$/m.exec(fs.readFileSync(wrapFile, 'utf8'));
  return m ? m[1] : path.basename(wrapFile, '.wrap');
}

function mesonVersion() {
  const res = spawnSync('meson', ['--version'], { encoding: 'utf8' });
  return res.stdout.trim();
}

function versionLess(a, b) {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) < (pb[i] ?? 0);
  }
  return false;
}

/**
 * Applies standins/mediasoup/patches/*.patch (in name order) to the copied worker sources. Each is a
 * unified diff with paths relative to worker/ ("a/src/..." / "b/src/..."). Every hunk's context
 * and removed lines must match exactly (a hunk may have moved by some lines): if mediasoup changed
 * the code, the build stops and says which patch to update instead of building something untested.
 */
function applyPatches(workerDir, log) {
  const patchDir = path.join(HERE, 'patches');
  if (!fs.existsSync(patchDir)) return;
  for (const name of fs.readdirSync(patchDir).filter((n) => n.endsWith('.patch')).sort()) {
    for (const { file, hunks } of parseUnifiedDiff(fs.readFileSync(path.join(patchDir, name), 'utf8'))) {
      const target = path.join(workerDir, file);
      if (!fs.existsSync(target)) throw new Error(`patch ${name}: ${file} does not exist in mediasoup's worker/`);
      const text = fs.readFileSync(target, 'utf8');
      const eol = text.includes('\r\n') ? '\r\n' : '\n';
      const lines = text.split(/\r?\n/);
      let shift = 0;
      for (const hunk of hunks) {
        const at = findHunk(lines, hunk.old, hunk.oldStart - 1 + shift);
        if (at < 0) {
          throw new Error(
            `patch ${name} does not apply to ${file} (hunk at line ${hunk.oldStart}); ` +
              `mediasoup's source changed: update standins/mediasoup/patches/${name}`,
          );
        }
        lines.splice(at, hunk.old.length, ...hunk.new);
        shift = at - (hunk.oldStart - 1) + hunk.new.length - hunk.old.length;
      }
      fs.writeFileSync(target, lines.join(eol));
      log(`step: patch ${name} -> ${file}`);
    }
  }
}

/** [{ file, hunks: [{ oldStart, old: string[], new: string[] }] }] of a unified diff (-p1 paths). */
function parseUnifiedDiff(diff) {
  const files = [];
  const lines = diff.split(/\r?\n/);
  let current = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.startsWith('+++ ')) {
      current = { file: line.slice(4).split('\t')[0].trim().replace(/^b\//, ''), hunks: [] };
      files.push(current);
      continue;
    }
    const header = /^@@ -(\d+)(?:,(\d+))? \+\d+(?:,(\d+))? @@/.exec(line);
    if (!header) continue; // "--- a/...", "diff ...", comments between files
    if (!current) throw new Error('malformed patch: hunk before the "+++" file header');
    const hunk = { oldStart: Number(header[1]), old: [], new: [] };
    let oldLeft = header[2] === undefined ? 1 : Number(header[2]);
    let newLeft = header[3] === undefined ? 1 : Number(header[3]);
    while (oldLeft > 0 || newLeft > 0) {
      i++;
      if (i >= lines.length) throw new Error(`malformed patch: hunk at line ${hunk.oldStart} of ${current.file} is cut short`);
      const body = lines[i];
      if (body.startsWith('\\')) continue; // "\ No newline at end of file"
      const kind = body[0] ?? ' '; // an empty line is a context line whose space an editor stripped
      const text = body.slice(1);
      if (kind === ' ') {
        hunk.old.push(text);
        hunk.new.push(text);
        oldLeft--;
        newLeft--;
      } else if (kind === '-') {
        hunk.old.push(text);
        oldLeft--;
      } else if (kind === '+') {
        hunk.new.push(text);
        newLeft--;
      } else {
        throw new Error(`malformed patch: unexpected line in hunk at line ${hunk.oldStart} of ${current.file}: ${body}`);
      }
    }
    current.hunks.push(hunk);
  }
  return files;
}

/** Index where `needle` occurs in `lines`, searching outwards from `hint`; -1 when nowhere. */
function findHunk(lines, needle, hint) {
  const matches = (at) => at >= 0 && at + needle.length <= lines.length && needle.every((l, i) => lines[at + i] === l);
  for (let d = 0; d <= lines.length; d++) {
    if (matches(hint - d)) return hint - d;
    if (d > 0 && matches(hint + d)) return hint + d;
  }
  return -1;
}

/** Copies worker/ and replaces the wrap subprojects with the system-library stand-ins. */
function prepareSources(workerDir, log) {
  const src = path.join(PACKAGE_DIR, 'worker');
  log(`step: copying ${src} to ${workerDir}`);
  fs.cpSync(src, workerDir, {
    recursive: true,
    filter: (file) => {
      const rel = path.relative(src, file);
      return !['out', 'prebuild', 'pip_invoke', path.join('subprojects', 'packagecache')].includes(rel);
    },
  });

  const stubsDir = path.join(HERE, 'subprojects');
  for (const name of fs.readdirSync(stubsDir)) {
    const wrapFile = path.join(workerDir, 'subprojects', `${name}.wrap`);
    if (!fs.existsSync(wrapFile)) {
      throw new Error(`mediasoup no longer has subprojects/${name}.wrap; update standins/mediasoup/subprojects`);
    }
    const target = path.join(workerDir, 'subprojects', wrapDirectory(wrapFile));
    fs.rmSync(target, { recursive: true, force: true });
    fs.cpSync(path.join(stubsDir, name), target, { recursive: true });
    if (name === 'libsrtp3') {
      fs.mkdirSync(path.join(target, 'include'), { recursive: true });
      fs.copyFileSync(path.join(HERE, 'shims', 'srtp.h'), path.join(target, 'include', 'srtp.h'));
    }
    log(`step: subproject ${name} -> system library stand-in (subprojects/${path.basename(target)})`);
  }

  applyPatches(workerDir, log);

  const mesonFile = path.join(workerDir, 'meson.build');
  const have = mesonVersion();
  const text = fs.readFileSync(mesonFile, 'utf8');
  const patched = text.replace(/meson_version\s*:\s*'>=\s*([\d.]+)'/, (whole, wanted) => {
    if (!versionLess(have, wanted)) return whole;
    log(`step: lowering the meson requirement from >= ${wanted} to >= ${have} (Debian's meson)`);
    return `meson_version: '>= ${have}'`;
  });
  fs.writeFileSync(mesonFile, patched);
}

async function buildFromSource({ version, cacheDir, cachedBin, log, keepBuild = false }) {
  const started = Date.now();
  const elapsed = () => `${Math.round((Date.now() - started) / 1000)} s`;
  log(`building mediasoup-worker ${version} from source against the system libraries (about 6 min on 2 cores)`);
  await ensureBuildTools(log);

  const buildRoot = path.join(cacheRoot(), `build-mediasoup-worker-${version}`);
  const workerDir = path.join(buildRoot, 'worker');
  const outDir = path.join(workerDir, 'out');
  const stampFile = path.join(buildRoot, 'fingerprint');
  const fingerprint = buildFingerprint(version);
  const resumable =
    fs.existsSync(path.join(outDir, 'build.ninja')) &&
    fs.existsSync(stampFile) &&
    fs.readFileSync(stampFile, 'utf8') === fingerprint;

  if (resumable) {
    log(`step: resuming the unfinished build in ${buildRoot}`);
  } else {
    fs.rmSync(buildRoot, { recursive: true, force: true });
    fs.mkdirSync(buildRoot, { recursive: true });
    prepareSources(workerDir, log);
    log('step: meson setup (--wrap-mode=nodownload, release, liburing off)');
    await run(
      'meson',
      [
        'setup',
        'out',
        '--wrap-mode=nodownload',
        '--buildtype',
        'release',
        '-Db_ndebug=true',
        '-Dms_disable_liburing=true',
      ],
      { cwd: workerDir, log },
    );
    fs.writeFileSync(stampFile, fingerprint);
  }

  // Lower priority: the build takes every core for minutes and should not starve other work.
  const niced = (args) => (commandExists('nice') ? ['nice', ['-n', '10', 'meson', ...args]] : ['meson', args]);
  const jobs = String(os.availableParallelism?.() ?? os.cpus().length);
  log(`step: compile flatbuffers-generator (FlatBuffers headers) [${elapsed()}]`);
  await run(...niced(['compile', '-C', 'out', 'flatbuffers-generator']), { cwd: workerDir, log });
  log(`step: compile mediasoup-worker with ${jobs} jobs [${elapsed()}]`);
  await run(...niced(['compile', '-C', 'out', '-j', jobs, 'mediasoup-worker']), { cwd: workerDir, log });

  const built = path.join(outDir, 'mediasoup-worker');
  log(`step: checking the built worker (a bare run must exit with code 41) [${elapsed()}]`);
  if (!isWorkingWorker(built)) throw new Error(`the built worker ${built} does not run as expected`);
  installBinary(built, cacheDir, cachedBin);
  const seconds = Math.round((Date.now() - started) / 1000);
  writeInfo(cacheDir, { version, source: 'built', recipe: recipeId(version), fingerprint, seconds, meson: mesonVersion() });
  if (keepBuild) log(`keeping the build directory ${buildRoot} (compile_commands.json in worker/out)`);
  else fs.rmSync(buildRoot, { recursive: true, force: true });
  log(`built mediasoup-worker in ${seconds} s: ${cachedBin} (${(fs.statSync(cachedBin).size / 1e6).toFixed(1)} MB)`);
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
