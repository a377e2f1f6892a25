// Installs what a fresh machine is missing: npm packages, and Debian packages where a feature needs them.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function step(text) {
  process.stdout.write(`\x1b[36m[cookim]\x1b[0m ${text}\n`);
}

function mtime(file) {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

/** `npm ci` when node_modules is missing or older than the lock file. */
export function ensureNpmDeps() {
  const lock = path.join(root, 'package-lock.json');
  const installed = path.join(root, 'node_modules', '.package-lock.json');
  if (existsSync(installed) && mtime(installed) >= mtime(lock)) return;
  step('installing npm packages (npm ci)');
  // mediasoup's postinstall downloads a prebuilt worker or builds one with pip-installed tools;
  // standins/mediasoup/ does that job itself (prebuilt where it downloads, offline build otherwise).
  const env = { ...process.env, MEDIASOUP_WORKER_BIN: process.env.MEDIASOUP_WORKER_BIN || 'provided-by-standins/mediasoup' };
  const res = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit', env });
  if (res.status !== 0) throw new Error('npm ci failed');
}

function hasCommand(name) {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

let aptUpdated = false;

/** apt-get install the packages when any of the commands (or files) is missing. Needs root. */
export function ensureApt(packages, provides) {
  const missing = provides.filter((p) => (p.startsWith('/') ? !existsSync(p) : !hasCommand(p)));
  if (missing.length === 0) return true;
  if (process.getuid?.() !== 0 || !hasCommand('apt-get')) {
    step(`missing ${missing.join(', ')}; install the Debian packages ${packages.join(' ')} (needs root)`);
    return false;
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!aptUpdated) {
    step('apt-get update');
    execFileSync('apt-get', ['update', '-q'], { stdio: 'inherit', env });
    aptUpdated = true;
  }
  step(`apt-get install ${packages.join(' ')}`);
  execFileSync('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...packages], { stdio: 'inherit', env });
  return true;
}

/**
 * Sets MEDIASOUP_WORKER_BIN to a working mediasoup worker for the processes started after this
 * (calls, S18): mediasoup's prebuilt one where it downloads, else the offline build cached under
 * ~/.cache/cookim (about 6 minutes the first time, then reused). A failure only disables calls.
 */
export async function ensureMediasoup() {
  try {
    const { ensureMediasoupWorker } = await import('../standins/mediasoup/ensureMediasoupWorker.mjs');
    process.env.MEDIASOUP_WORKER_BIN = await ensureMediasoupWorker({ log: (line) => step(`mediasoup-worker: ${line}`) });
    return true;
  } catch (err) {
    step(`the mediasoup worker is not available (${err?.message ?? err}); calls will answer media_unavailable`);
    return false;
  }
}

/** Builds web/dist when it is missing or stale (scripts/build-web.mjs). */
export async function ensureWeb() {
  const builder = path.join(root, 'scripts', 'build-web.mjs');
  if (!existsSync(builder) || !existsSync(path.join(root, 'web', 'index.html'))) return;
  const { ensureWebBuild } = await import(builder);
  await ensureWebBuild({ log: step });
}

/** Builds build/server (the server compiled to JavaScript) when it is missing or stale (scripts/build-server.mjs). */
export async function ensureServerBuild() {
  const { ensureServerBuild: build, serverEntry } = await import('./build-server.mjs');
  await build({ log: step });
  return serverEntry;
}

/**
 * Debian's redis-server, which every node on this machine uses as the embedded broker for fan-out
 * between nodes (signaling/broker/), unless REDIS_URL names a Redis (or is `off`). Without it a node
 * still serves; its log says multi-node fan-out is off.
 */
export function ensureRedis() {
  if (process.env.REDIS_URL) return true;
  try {
    return ensureApt(['redis-server'], ['redis-server']);
  } catch (err) {
    step(`could not install redis-server (${err?.message ?? err}); multi-node fan-out will be off`);
    return false;
  }
}

/**
 * Debian's ffmpeg (libx264, aac), which repackages live streams to HLS (S19). Without it a node
 * still serves; live streams then fail to start with media_unavailable.
 */
export function ensureFfmpeg() {
  if (process.env.FFMPEG_PATH) return true;
  try {
    return ensureApt(['ffmpeg'], ['ffmpeg', 'ffprobe']);
  } catch (err) {
    step(`could not install ffmpeg (${err?.message ?? err}); live streams will be unavailable`);
    return false;
  }
}
