import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { http, registerUser } from '../support/client';
import { startServer, type RunningServer } from '../support/server';

const PER_MINUTE = 6;
let server: RunningServer;
let url: string;

before(async () => {
  server = await startServer({ env: { USER_SEARCH_PER_MINUTE: String(PER_MINUTE) } });
  url = server.url;
});
after(() => server.stop());

test('an exact email still finds its account; known and unknown emails answer the same shape', async () => {
  const searcher = await registerUser(url, 'Searcher');
  const target = await registerUser(url, 'Target');
  const known = await http(url, 'GET', `/api/users?q=${encodeURIComponent(target.login)}`, { token: searcher.token });
  const unknown = await http(url, 'GET', `/api/users?q=${encodeURIComponent('nobody-here@example.test')}`, { token: searcher.token });
  assert.equal(known.status, 200);
  assert.equal(unknown.status, 200);
  assert.deepEqual(Object.keys(known.body), ['users']);
  assert.deepEqual(Object.keys(unknown.body), ['users']);
  assert.deepEqual(known.body.users.map((u: { uid: string }) => u.uid), [target.uid]);
  assert.equal(known.body.users[0].login, undefined, 'another user\'s login is withheld');
  assert.deepEqual(unknown.body.users, []);
});

test('searching is throttled per user with 429 and Retry-After', async () => {
  const prober = await registerUser(url, 'Prober');
  const statuses: number[] = [];
  let retryAfter: string | null = null;
  for (let i = 0; i < PER_MINUTE + 4; i++) {
    const res = await http(url, 'GET', `/api/users?q=${encodeURIComponent(`guess${i}@example.test`)}`, { token: prober.token });
    statuses.push(res.status);
    if (res.status === 429) {
      assert.equal(res.body.error.code, 'rate_limited');
      retryAfter = res.headers.get('retry-after');
    }
  }
  assert.deepEqual(statuses.slice(0, PER_MINUTE), Array(PER_MINUTE).fill(200));
  assert.ok(statuses.slice(PER_MINUTE).every((s) => s === 429), statuses.join(','));
  assert.ok(Number(retryAfter) >= 1);
  // Another user's searches are their own.
  const other = await registerUser(url, 'Other');
  assert.equal((await http(url, 'GET', '/api/users?q=target', { token: other.token })).status, 200);
});
