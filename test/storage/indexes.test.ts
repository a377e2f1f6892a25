import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DuplicateLoginError } from '../../storage/errors';
import { PresenceStore } from '../../storage/PresenceStore';
import { SessionStore } from '../../storage/SessionStore';
import { UserStore } from '../../storage/UserStore';
import { openTestDatabase, type TestDatabase } from '../support/mongo';

let t: TestDatabase;
before(async () => {
  t = await openTestDatabase({ onlineTtlSeconds: 1 });
});
after(() => t.close());

test('the indexes the queries need exist, with the unique ones unique', async () => {
  const names = async (c: { indexes(): Promise<{ key: Record<string, unknown>; unique?: boolean; expireAfterSeconds?: number }[]> }) =>
    (await c.indexes()).map((i) => `${Object.keys(i.key).join(',')}${i.unique ? ' unique' : ''}${i.expireAfterSeconds !== undefined ? ` ttl=${i.expireAfterSeconds}` : ''}`);
  assert.ok((await names(t.db.users)).includes('login unique'));
  const messageIndexes = await names(t.db.messages);
  assert.ok(messageIndexes.includes('sessionid,seq unique'));
  assert.ok(messageIndexes.includes('sessionid,senduid,uuid unique'));
  assert.ok((await names(t.db.online)).includes('time ttl=1'));
  assert.ok((await names(t.db.sessions)).includes('uids'));
  // One record per content (S9): the same bytes uploaded twice, even at once, meet on the sha256
  // index; md5 is only a lookup key (two different files may share one).
  const fileIndexes = await names(t.db.files);
  assert.ok(fileIndexes.includes('sha256 unique'), fileIndexes.join('; '));
  assert.ok(fileIndexes.includes('md5'), fileIndexes.join('; '));
  assert.ok(!fileIndexes.includes('md5 unique'), fileIndexes.join('; '));
});

test('a login is registered once', async () => {
  const users = new UserStore(t.db);
  await users.register({ login: 'once@example.test', nickname: 'Once', passwordHash: 'x' });
  await assert.rejects(users.register({ login: 'once@example.test', nickname: 'Twice', passwordHash: 'y' }), DuplicateLoginError);
  assert.equal(await t.db.users.countDocuments({ login: 'once@example.test' }), 1);
});

test('two users opening their private conversation at once get one', async () => {
  const store = new SessionStore(t.db);
  const [a, b] = ['c'.repeat(24), 'd'.repeat(24)];
  const results = await Promise.all([store.createPrivate(a, b, 'x'), store.createPrivate(b, a, 'x'), store.createPrivate(a, b, 'x')]);
  assert.equal(new Set(results.map((r) => r.session._id.toHexString())).size, 1);
  assert.equal(await t.db.sessions.countDocuments({ sessiontype: 0, uids: a }), 1);
});

test('an online record without keepalive expires (TTL) and the user is offline', async () => {
  const presence = new PresenceStore(t.db, 1000);
  await presence.markOnline('socket-1', 'e'.repeat(24), 'node-a');
  assert.equal(await presence.isOnline('e'.repeat(24)), true);
  // Offline as soon as the record is older than the TTL, and the record itself is removed by the TTL sweep.
  await new Promise((r) => setTimeout(r, 1200));
  assert.equal(await presence.isOnline('e'.repeat(24)), false);
  let gone = false;
  for (let i = 0; i < 80 && !gone; i++) {
    gone = (await t.db.online.countDocuments({ _id: 'socket-1' })) === 0;
    if (!gone) await new Promise((r) => setTimeout(r, 1000));
  }
  assert.ok(gone, 'the TTL index removed the record');
});
