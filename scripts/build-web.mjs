// Builds the web client (web/ -> web/dist) with the installed Vite, only when the build is missing
// or older than its sources (web/ outside dist, the shared protocol module, the lockfile).
// Used by `npm start` / `npm test` through ensureWebBuild(); also runnable: node scripts/build-web.mjs [--force]
// After Vite, every compressible file gets a .br and a .gz beside it, served by content negotiation
// (signaling/http/webClient.ts), so no request compresses anything at run time.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import { brotliCompressSync, constants as zlibConstants, gzipSync } from 'node:zlib';
import { newestFile } from './newestFile.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const webDir = path.join(root, 'web');
const distIndex = path.join(webDir, 'dist', 'index.html');
// This script too: a build made by an older one may lack what it now writes (the compressed files).
const sources = [webDir, path.join(root, 'signaling', 'protocol'), path.join(root, 'package-lock.json'), fileURLToPath(import.meta.url)];
const skipped = new Set([path.join(webDir, 'dist'), path.join(webDir, 'node_modules')]);

/** Why a build is needed, or '' when web/dist is up to date. */
export function webBuildReason() {
  if (!existsSync(distIndex)) return 'web/dist/index.html is missing';
  const built = statSync(distIndex).mtimeMs;
  for (const source of sources) {
    const found = newestFile(source, skipped);
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

const COMPRESSIBLE = new Set(['.js', '.mjs', '.css', '.html', '.svg', '.json', '.webmanifest', '.map', '.txt', '.xml', '.wasm']);
// Below this, the headers cost more than compression saves.
const MIN_BYTES = 1024;

function filesUnder(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(full) : [full];
  });
}

/** Writes file.br (brotli) and file.gz (gzip -9) for every compressible file, when smaller. */
export function precompress(distDir) {
  const totals = { files: 0, raw: 0, br: 0, gz: 0 };
  for (const file of filesUnder(distDir)) {
    if (!COMPRESSIBLE.has(path.extname(file))) continue;
    const raw = readFileSync(file);
    if (raw.length < MIN_BYTES) continue;
    const br = brotliCompressSync(raw, {
      params: {
        // Best quality where it pays (files of 16 KB and more); the ~2,700 small Twemoji SVGs at quality 5 take
        // 0.4 s instead of 14 s of CPU for 6 % more bytes.
        [zlibConstants.BROTLI_PARAM_QUALITY]: raw.length >= 16 * 1024 ? zlibConstants.BROTLI_MAX_QUALITY : 5,
        [zlibConstants.BROTLI_PARAM_SIZE_HINT]: raw.length,
        [zlibConstants.BROTLI_PARAM_MODE]: zlibConstants.BROTLI_MODE_TEXT,
      },
    });
    const gz = gzipSync(raw, { level: 9 });
    // A variant no smaller than the file is useless; the file itself is then sent.
    if (br.length < raw.length) writeFileSync(`${file}.br`, br);
    if (gz.length < raw.length) writeFileSync(`${file}.gz`, gz);
    totals.files += 1;
    totals.raw += raw.length;
    totals.br += Math.min(br.length, raw.length);
    totals.gz += Math.min(gz.length, raw.length);
  }
  return totals;
}

/**
 * Names the service worker's cache after this build (a hash of index.html, which names every
 * hashed entry file): a new build installs a new worker, which drops the previous build's cache.
 */
export function stampServiceWorker(distDir) {
  const sw = path.join(distDir, 'sw.js');
  if (!existsSync(sw)) return;
  const build = createHash('sha256').update(readFileSync(path.join(distDir, 'index.html'))).digest('hex').slice(0, 12);
  writeFileSync(sw, readFileSync(sw, 'utf8').replaceAll('__COOKIM_BUILD__', build));
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
  stampServiceWorker(path.join(webDir, 'dist'));
  const packed = precompress(path.join(webDir, 'dist'));
  const kb = (bytes) => `${Math.round(bytes / 1024)} KB`;
  log(
    `web client: built web/dist in ${((Date.now() - started) / 1000).toFixed(1)} s (${files} assets; ` +
      `${packed.files} compressed: ${kb(packed.raw)} raw, ${kb(packed.gz)} gzip, ${kb(packed.br)} brotli)`,
  );
  return true;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  ensureWebBuild({ force: process.argv.includes('--force') }).catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
