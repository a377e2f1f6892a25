// mediasoup's prebuilt worker: the same release asset mediasoup's postinstall fetches, with short
// timeouts so an offline machine falls through to the local build quickly.
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { Parser } from 'tar';
import { isWorkingWorker } from './mediasoupPackage.mjs';
import { installBinary, writeInfo } from './workerCache.mjs';

const DOWNLOAD_CONNECT_TIMEOUT_MS = 15_000;
const DOWNLOAD_TOTAL_TIMEOUT_MS = 120_000;

function prebuiltUrl(version) {
  const base =
    process.env.MEDIASOUP_WORKER_PREBUILT_DOWNLOAD_BASE_URL ||
    'https://github.com/versatica/mediasoup/releases/download';
  let name = `mediasoup-worker-${version}-${os.platform()}-${os.arch()}`;
  if (os.platform() === 'linux') name += `-kernel${Number(os.release().split('.')[0])}`;
  return `${base}/${version}/${name}.tgz`;
}

/**
 * Downloads the prebuilt worker into the cache. Resolves to true when a working worker is now at
 * `cachedBin`; false (after saying why) when the build from source should take over.
 */
export async function downloadPrebuiltWorker({ version, cacheDir, cachedBin, log }) {
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
    const binary = await extractFileFromTarball(body, 'mediasoup-worker');
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

/** The bytes of the first regular file whose base name is `wanted` in a (gzipped) tarball, or null. */
export function extractFileFromTarball(tarball, wanted) {
  return new Promise((resolve, reject) => {
    let found = null;
    const parser = new Parser({
      strict: true,
      filter: (entryPath, entry) => found === null && entry.type === 'File' && path.posix.basename(entryPath) === wanted,
      onReadEntry: (entry) => {
        const chunks = [];
        entry.on('data', (chunk) => chunks.push(chunk));
        entry.on('end', () => {
          found ??= Buffer.concat(chunks);
        });
      },
    });
    parser.on('error', reject);
    parser.on('end', () => resolve(found));
    parser.end(tarball);
  });
}
