// Builds the web client (web/ -> web/dist) with the installed Vite, only when the build is missing
// or older than its sources (web/ outside dist, the shared protocol module, the lockfile).
// Used by `npm start` / `npm test` through ensureWebBuild(); also runnable: node scripts/build-web.mjs [--force]
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const webDir = path.join(root, 'web');
const distIndex = path.join(webDir, 'dist', 'index.html');
const sources = [webDir, path.join(root, 'signaling', 'protocol'), path.join(root, 'package-lock.json')];
const skipped = new Set([path.join(webDir, 'dist'), path.join(webDir, 'node_modules')]);

/** Newest modification time under `target`, with the file that has it. */
function newest(target) {
  if (skipped.has(target) || !existsSync(target)) return { time: 0, file: '' };
  const stat = statSync(target);
  if (!stat.isDirectory()) return { time: stat.mtimeMs, file: target };
  let best = { time: 0, file: '' };
  for (const entry of readdirSync(target)) {
    const found = newest(path.join(target, entry));
    if (found.time > best.time) best = found;
  }
  return best;
}

/** Why a build is needed, or '' when web/dist is up to date. */
export function webBuildReason() {
  if (!existsSync(distIndex)) return 'web/dist/index.html is missing';
  const built = statSync(distIndex).mtimeMs;
  for (const source of sources) {
    const found = newest(source);
    if (found.time > built) return `${path.relative(root, found.file)} changed`;
  }
  return '';
}

function runVite(log) {
  return new Promise((resolve, reject) => {
    const vite = path.join(root, 'node_modules', 'vite', 'bin', 'vite.js');
    if (!existsSync(vite)) {
      reject(new Error('vite is not installed (run npm install)'));
      return;
    }
    // --logLevel warn: Vite would otherwise list each of the ~3700 bundled emoji files
    const child = spawn(process.execPath, [vite, 'build', 'web', '--logLevel', 'warn'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const relay = (chunk) => {
      for (const line of String(chunk).split('\n')) if (line.trim()) log(`  vite: ${line}`);
    };
    child.stdout.on('data', relay);
    child.stderr.on('data', relay);
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`vite build failed (exit ${code})`))));
  });
}

/** Builds web/dist when it is missing or stale (or always with force). */
export async function ensureWebBuild({ log = console.log, force = false } = {}) {
  const reason = force ? 'forced' : webBuildReason();
  if (!reason) {
    log('web client: web/dist is up to date');
    return false;
  }
  log(`web client: building (${reason})…`);
  const started = Date.now();
  await runVite(log);
  const files = readdirSync(path.join(webDir, 'dist', 'assets')).length;
  log(`web client: built web/dist in ${((Date.now() - started) / 1000).toFixed(1)} s (${files} assets)`);
  return true;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  ensureWebBuild({ force: process.argv.includes('--force') }).catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
