/**
 * Uploads cut off mid-body (issue 10, finding 4): an aborted upload gives its concurrency slot back at
 * once and removes its partial file; leftovers of crashed processes are swept at start.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { registerUser, type TestUser } from '../support/client';
import { freshDataDir, startServer, type RunningServer } from '../support/server';
import { md5, randomBytesOf, upload } from '../support/files';

let server: RunningServer;
let url: string;
let alice: TestUser;
let tmpDir: string;
const OLD_LEFTOVER = 'crashed-upload-old';
const FRESH_LEFTOVER = 'running-upload-elsewhere';

before(async () => {
  const dataDir = freshDataDir('cookim-aborted');
  tmpDir = path.join(dataDir, 'files', 'tmp');
  mkdirSync(tmpDir, { recursive: true });
  // A partial file a crashed process left half an hour ago, and one another process is writing right now.
  writeFileSync(path.join(tmpDir, OLD_LEFTOVER), randomBytesOf(1000));
  const halfHourAgo = new Date(Date.now() - 30 * 60_000);
  utimesSync(path.join(tmpDir, OLD_LEFTOVER), halfHourAgo, halfHourAgo);
  writeFileSync(path.join(tmpDir, FRESH_LEFTOVER), randomBytesOf(1000));
  server = await startServer({ dataDir, env: { UPLOAD_CONCURRENCY: '3' } });
  url = server.url;
  alice = await registerUser(url, 'Alice');
});
after(() => server.stop());

const tmpFiles = () => readdirSync(tmpDir);

/** Polls until `check` holds (the server acts on a closed socket asynchronously); false after `ms`. */
async function eventually(check: () => boolean, ms = 5000): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return check();
}

/**
 * Starts a 2 MB multipart upload, sends its first 256 KB, waits until the server is writing the
 * partial file, then destroys the socket, as a phone losing its network does.
 */
async function abortedUpload(token: string): Promise<void> {
  const boundary = 'cookimabort';
  const bytes = randomBytesOf(2 * 1024 * 1024);
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="md5"\r\n\r\n${md5(bytes)}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const { port } = new URL(url);
  const req = request({
    host: '127.0.0.1',
    port,
    method: 'POST',
    path: '/api/files',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': `multipart/form-data; boundary=${boundary}`,
      'content-length': String(head.length + bytes.length + tail.length),
    },
  });
  const answered = new Promise<number>((resolve) => req.on('response', (res) => resolve(res.statusCode ?? 0)));
  req.on('error', () => undefined);
  req.write(head);
  req.write(bytes.subarray(0, 256 * 1024));
  const writing = await eventually(() => tmpFiles().some((f) => f !== FRESH_LEFTOVER));
  const early = await Promise.race([answered, new Promise<null>((r) => setTimeout(() => r(null), 10))]);
  assert.ok(writing, `the server should be receiving the upload (answered ${early})`);
  req.destroy();
}

describe('aborted uploads', () => {
  test('at start, only temporary files older than a few minutes are swept', async () => {
    assert.ok(await eventually(() => !tmpFiles().includes(OLD_LEFTOVER)), 'the old leftover is removed');
    assert.ok(tmpFiles().includes(FRESH_LEFTOVER), 'a fresh one may be another process at work: kept');
  });

  test('5 uploads cut off mid-body in a row: each releases its slot and its partial file; the next upload works', async () => {
    const partials = () => tmpFiles().filter((f) => f !== FRESH_LEFTOVER);
    for (let i = 0; i < 5; i++) {
      await abortedUpload(alice.token);
      assert.ok(await eventually(() => partials().length === 0), `aborted upload ${i + 1}: its partial file is removed (${partials().join(', ')})`);
    }
    const res = await upload(url, alice.token, randomBytesOf(100_000), { name: 'after.bin' });
    assert.equal(res.status, 201, `not locked out: ${JSON.stringify(res.body)}`);
    assert.deepEqual(partials(), []);
  });
});
