/**
 * Stream keys (S27): made with POST /api/live/keys (the key answered once, never listed), listed
 * by their owner only, tied to a conversation only by its members, revoked by their owner.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createGroup, http, registerUser, type TestUser } from '../support/client';
import { startServer, type RunningServer } from '../support/server';

let server: RunningServer;
let alice: TestUser;
let bob: TestUser;

before(async () => {
  server = await startServer();
  [alice, bob] = await Promise.all([registerUser(server.url, 'Alice'), registerUser(server.url, 'Bob')]);
});
after(async () => {
  await server?.stop();
});

describe('stream keys', () => {
  test('made once, listed without the secret, revoked by their owner only', async () => {
    const group = await createGroup(server.url, alice, 'Stream room');
    const made = await http(server.url, 'POST', '/api/live/keys', { token: alice.token, body: { title: 'OBS at home', sessionid: group.sessionid } });
    assert.equal(made.status, 201);
    assert.match(made.body.keyid, /^[0-9a-f]{16}$/);
    assert.match(made.body.key, new RegExp(`^live_${made.body.keyid}_[A-Za-z0-9_-]{43}$`));
    assert.equal(made.headers.get('cache-control'), 'no-store');

    const list = await http(server.url, 'GET', '/api/live/keys', { token: alice.token });
    assert.equal(list.status, 200);
    assert.deepEqual(Object.keys(list.body.keys[0]).sort(), ['createdAt', 'keyid', 'sessionid', 'title']);
    assert.equal(list.body.keys[0].title, 'OBS at home');
    assert.ok(!JSON.stringify(list.body).includes(made.body.key.slice(-43)), 'the secret is never listed');
    assert.deepEqual((await http(server.url, 'GET', '/api/live/keys', { token: bob.token })).body.keys, []);

    const notOwner = await http(server.url, 'DELETE', `/api/live/keys/${made.body.keyid}`, { token: bob.token });
    assert.equal(notOwner.status, 404);
    const revoked = await http(server.url, 'DELETE', `/api/live/keys/${made.body.keyid}`, { token: alice.token });
    assert.equal(revoked.status, 204);
    assert.deepEqual((await http(server.url, 'GET', '/api/live/keys', { token: alice.token })).body.keys, []);
    assert.equal((await http(server.url, 'DELETE', `/api/live/keys/${made.body.keyid}`, { token: alice.token })).status, 404);
  });

  test('a conversation the user is not in is refused; bad input and no sign-in too', async () => {
    const bobs = await createGroup(server.url, bob, "Bob's room");
    const notMember = await http(server.url, 'POST', '/api/live/keys', { token: alice.token, body: { title: 'x', sessionid: bobs.sessionid } });
    assert.equal(notMember.status, 403);
    assert.equal(notMember.body.error.code, 'not_member');
    const noTitle = await http(server.url, 'POST', '/api/live/keys', { token: alice.token, body: { title: '  ' } });
    assert.equal(noTitle.status, 400);
    assert.equal(noTitle.body.error.code, 'invalid_input');
    const anonymous = await http(server.url, 'POST', '/api/live/keys', { body: { title: 'x' } });
    assert.equal(anonymous.status, 401);
    assert.equal((await http(server.url, 'GET', '/api/live/keys')).status, 401);
  });
});
