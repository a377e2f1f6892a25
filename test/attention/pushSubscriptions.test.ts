import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import webpush from 'web-push';
import { http, registerUser, type TestUser } from '../support/client';
import { startServer, type RunningServer } from '../support/server';
import { TestSubscription } from './pushEndpoint';

let server: RunningServer;
let url: string;
let alice: TestUser;

before(async () => {
  server = await startServer();
  url = server.url;
  alice = await registerUser(url, 'Alice');
});
after(async () => {
  await server?.stop();
});

const subscribe = (body: unknown, token = alice.token) => http(url, 'POST', '/api/push/subscriptions', { token, body });

describe('push subscriptions and VAPID keys (issue 13)', () => {
  test('the VAPID public key is generated once and kept in DATA_DIR across restarts', async () => {
    const first = await http(url, 'GET', '/api/push/key');
    assert.equal(first.status, 200);
    assert.equal(Buffer.from(first.body.publicKey, 'base64url').length, 65, 'an uncompressed P-256 point');
    const kept = JSON.parse(readFileSync(path.join(server.dataDir, 'vapid.json'), 'utf8'));
    assert.equal(kept.publicKey, first.body.publicKey);
    await server.stop();
    server = await startServer({ dataDir: server.dataDir });
    url = server.url;
    assert.equal((await http(url, 'GET', '/api/push/key')).body.publicKey, first.body.publicKey);
  });

  test('VAPID_* settings take precedence', async () => {
    const keys = webpush.generateVAPIDKeys();
    const other = await startServer({ env: { VAPID_PUBLIC_KEY: keys.publicKey, VAPID_PRIVATE_KEY: keys.privateKey, VAPID_SUBJECT: 'mailto:ops@example.test' } });
    try {
      assert.equal((await http(other.url, 'GET', '/api/push/key')).body.publicKey, keys.publicKey);
    } finally {
      await other.stop();
    }
  });

  test('https endpoints are taken (201) and removed (204)', async () => {
    const sub = new TestSubscription('https://push.example.test/send/abc').toJSON();
    const res = await subscribe({ ...sub, expirationTime: null });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    // The same browser again (another user signed in there): still 201.
    const bob = await registerUser(url, 'Bob');
    assert.equal((await subscribe(sub, bob.token)).status, 201);
    assert.equal((await http(url, 'DELETE', '/api/push/subscriptions', { token: bob.token, body: { endpoint: sub.endpoint } })).status, 204);
    assert.equal((await http(url, 'DELETE', '/api/push/subscriptions', { token: bob.token, body: { endpoint: sub.endpoint } })).status, 204, 'idempotent');
  });

  test('bad subscriptions get 400 with the error shape', async () => {
    const good = new TestSubscription('https://push.example.test/send/def').toJSON();
    const cases: [string, unknown][] = [
      ['http endpoint (PUSH_ALLOW_HTTP unset)', { ...good, endpoint: 'http://push.example.test/send/def' }],
      ['not a URL', { ...good, endpoint: 'push service' }],
      ['missing keys', { endpoint: good.endpoint }],
      ['missing auth', { endpoint: good.endpoint, keys: { p256dh: good.keys.p256dh } }],
      ['keys not base64url', { endpoint: good.endpoint, keys: { p256dh: 'not base64!', auth: good.keys.auth } }],
    ];
    for (const [what, body] of cases) {
      const res = await subscribe(body);
      assert.equal(res.status, 400, what);
      assert.equal(res.body.error.code, 'invalid_input', what);
      assert.equal(typeof res.body.error.message, 'string', what);
    }
    assert.equal((await http(url, 'DELETE', '/api/push/subscriptions', { token: alice.token, body: {} })).status, 400);
    assert.equal((await http(url, 'POST', '/api/push/subscriptions', { body: good })).status, 401);
  });
});
