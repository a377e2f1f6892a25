// The offline mediasoup worker recipe (standins/mediasoup): its cache key stays put, so the worker
// cached in ~/.cache/cookim keeps being reused, and its patches still apply to the installed
// mediasoup's sources.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { create } from 'tar';
import { applyWorkerPatches, WorkerPatchError } from '../../standins/mediasoup/applyWorkerPatches.mjs';
import { extractFileFromTarball } from '../../standins/mediasoup/downloadPrebuiltWorker.mjs';
import { PACKAGE_DIR } from '../../standins/mediasoup/mediasoupPackage.mjs';
import { recipeId, workerCacheDir } from '../../standins/mediasoup/workerCache.mjs';

const PATCHED_FILE = path.join('src', 'RTC', 'DtlsTransport.cpp');

function scratchDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'worker-recipe-'));
}

describe('mediasoup worker recipe', () => {
  test('the cache key is the one the cached workers were built under', () => {
    // RECIPE_REVISION 2 and the hash of subprojects/, shims/ and patches/. A deliberate recipe
    // change updates this value (and every machine rebuilds once); anything else must not move it.
    assert.equal(recipeId('3.19.3'), 'r2-6c5a2c8315');
    assert.equal(path.basename(workerCacheDir('3.19.3')), 'mediasoup-worker-3.19.3-r2-6c5a2c8315');
  });

  test("the patches apply to the installed mediasoup's worker sources", () => {
    const workerDir = scratchDir();
    try {
      const original = fs.readFileSync(path.join(PACKAGE_DIR, 'worker', PATCHED_FILE), 'utf8');
      fs.mkdirSync(path.dirname(path.join(workerDir, PATCHED_FILE)), { recursive: true });
      fs.writeFileSync(path.join(workerDir, PATCHED_FILE), original);
      const lines: string[] = [];

      assert.deepEqual(applyWorkerPatches(workerDir, (line) => lines.push(line)), ['src/RTC/DtlsTransport.cpp']);
      const patched = fs.readFileSync(path.join(workerDir, PATCHED_FILE), 'utf8');
      assert.match(patched, /argi == BIO_CTRL_GET_KTLS_SEND \|\| argi == BIO_CTRL_GET_KTLS_RECV/);
      assert.match(patched, /^\s*int argi,$/m);
      assert.doesNotMatch(patched, /int \/\*argi\*\//);
      assert.equal(patched.split('\n').length, original.split('\n').length + 15, 'the hunk adds 15 lines net');
      assert.match(lines.join('\n'), /patch 0001-dtls-bio-callback-ktls-answer\.patch -> src\/RTC\/DtlsTransport\.cpp/);

      // Applied sources no longer match: a changed upstream stops the build with a named error.
      assert.throws(() => applyWorkerPatches(workerDir, () => undefined), WorkerPatchError);
    } finally {
      fs.rmSync(workerDir, { recursive: true, force: true });
    }
  });

  test('a patch for a file mediasoup no longer has is refused', () => {
    const workerDir = scratchDir();
    try {
      assert.throws(() => applyWorkerPatches(workerDir, () => undefined), /does not exist in mediasoup's worker/);
    } finally {
      fs.rmSync(workerDir, { recursive: true, force: true });
    }
  });

  test('the worker is found inside a gzipped release tarball', async () => {
    const dir = scratchDir();
    try {
      fs.mkdirSync(path.join(dir, 'out', 'Release'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'README'), 'not the worker');
      fs.writeFileSync(path.join(dir, 'out', 'Release', 'mediasoup-worker'), 'worker bytes');
      const chunks: Buffer[] = [];
      for await (const chunk of create({ gzip: true, cwd: dir }, ['README', 'out'])) chunks.push(Buffer.from(chunk));
      const found = await extractFileFromTarball(Buffer.concat(chunks), 'mediasoup-worker');
      assert.equal(found?.toString('utf8'), 'worker bytes');
      assert.equal(await extractFileFromTarball(Buffer.concat(chunks), 'missing'), null);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
