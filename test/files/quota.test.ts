/**
 * Per-user storage quota (issue 10, finding 10, bytes stored): USER_STORAGE_QUOTA bounds the sizes of
 * the distinct contents a user uploaded; beyond it an upload is a 413 `quota_exceeded` that leaves
 * nothing behind. GET /api/me/storage shows the use.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { http, registerUser, type TestUser } from '../support/client';
import { startServer, type RunningServer } from '../support/server';
import { jpeg, listFiles, md5, randomBytesOf, upload } from '../support/files';

const QUOTA = 100_000;
let server: RunningServer;
let url: string;
let alice: TestUser;
let bob: TestUser;

before(async () => {
  server = await startServer({ env: { USER_STORAGE_QUOTA: String(QUOTA) } });
  url = server.url;
  [alice, bob] = await Promise.all([registerUser(url, 'Alice'), registerUser(url, 'Bob')]);
});
after(() => server.stop());

const storage = async (user: TestUser) => {
  const res = await http(url, 'GET', '/api/me/storage', { token: user.token });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.storage as { used: number; quota: number | null };
};
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const filesDir = () => path.join(server.dataDir, 'files');
/** Nothing of these bytes on disk (content or variants) nor in the temporary folder. */
function assertNothingKept(bytes: Buffer) {
  assert.deepEqual(
    listFiles(filesDir()).filter((f) => path.basename(f).startsWith(sha256(bytes))),
    [],
  );
  assert.deepEqual(readdirSync(path.join(filesDir(), 'tmp')), []);
}

describe('USER_STORAGE_QUOTA', () => {
  test('counts distinct contents; a re-upload is free; beyond the quota: 413 quota_exceeded, nothing kept', async () => {
    assert.deepEqual(await storage(alice), { used: 0, quota: QUOTA });
    const first = randomBytesOf(60_000);
    assert.equal((await upload(url, alice.token, first)).status, 201);
    assert.deepEqual(await storage(alice), { used: 60_000, quota: QUOTA });
    assert.equal((await upload(url, alice.token, first, { name: 'again.bin' })).status, 201, 'bytes she has cost nothing');
    assert.equal((await storage(alice)).used, 60_000);

    const second = randomBytesOf(50_000);
    const refused = await upload(url, alice.token, second);
    assert.equal(refused.status, 413, JSON.stringify(refused.body));
    assert.equal(refused.body.error.code, 'quota_exceeded');
    assert.match(refused.body.error.message, /60000 of 100000/);
    assertNothingKept(second);
    assert.equal((await http(url, 'GET', `/api/files/by-md5/${md5(second)}`, { token: alice.token })).status, 404);
    assert.equal((await storage(alice)).used, 60_000);

    // Up to the quota exactly is fine.
    assert.equal((await upload(url, alice.token, randomBytesOf(40_000))).status, 201);
    assert.deepEqual(await storage(alice), { used: QUOTA, quota: QUOTA });

    // Bytes someone else stored still count for her when she uploads them; not for him again.
    assert.equal((await upload(url, bob.token, second)).status, 201);
    assert.equal((await upload(url, alice.token, second)).body.error?.code, 'quota_exceeded');
    assert.equal((await storage(bob)).used, 50_000);
  });

  test('concurrent uploads of one user cannot pass the quota together', async () => {
    const carol = await registerUser(url, 'Carol');
    const results = await Promise.all([1, 2, 3].map(() => upload(url, carol.token, randomBytesOf(40_000))));
    const codes = results.map((r) => r.status).sort();
    assert.deepEqual(codes, [201, 201, 413], JSON.stringify(results.map((r) => r.body)));
    assert.equal((await storage(carol)).used, 80_000);
    assert.deepEqual(readdirSync(path.join(filesDir(), 'tmp')), []);
  });

  test('an image beyond the quota leaves no thumbnail either; the avatar upload is bounded too', async () => {
    const image = await jpeg(400, 300);
    const refused = await upload(url, alice.token, image, { name: 'pic.jpg', type: 'image/jpeg' });
    assert.equal(refused.status, 413);
    assert.equal(refused.body.error.code, 'quota_exceeded');
    assertNothingKept(image);
    const avatar = await upload(url, alice.token, image, { name: 'me.jpg', type: 'image/jpeg', path: '/api/me/avatar' });
    assert.equal(avatar.body.error?.code, 'quota_exceeded');
    assertNothingKept(image);
  });

  test('the storage endpoint needs a signed-in user', async () => {
    assert.equal((await http(url, 'GET', '/api/me/storage')).status, 401);
  });
});
