import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { MessageBatcher } from '../../storage/MessageBatcher';
import { ReadStateStore } from '../../storage/ReadStateStore';
import { SessionStore } from '../../storage/SessionStore';
import { openTestDatabase, type TestDatabase } from '../support/mongo';

let t: TestDatabase;
let store: ReadStateStore;
let batcher: MessageBatcher;
let sessionid: string;
const alice = 'a'.repeat(24);
const bob = 'b'.repeat(24);

before(async () => {
  t = await openTestDatabase();
  store = new ReadStateStore(t.db);
  batcher = new MessageBatcher(t.db, { windowMs: 1 });
  sessionid = (await new SessionStore(t.db).createGroup(alice, { name: 'reads', visabletype: 1, jointype: 0 }))._id.toHexString();
});
after(async () => {
  await batcher.close();
  await t.close();
});

const send = (senduid: string, i: number, mentions?: string[]) =>
  batcher.submit({ sessionid, senduid, nickname: 'T', msgtype: 0, content: `m${i}`, uuid: `u${i}`, ...(mentions ? { mentions } : {}) });

test('the read position only moves forward, also under concurrent moves', async () => {
  assert.deepEqual(await store.advance(bob, sessionid, 5), { seq: 5, changed: true });
  assert.deepEqual(await store.advance(bob, sessionid, 3), { seq: 5, changed: false });
  const results = await Promise.all([9, 7, 8, 6].map((seq) => store.advance(bob, sessionid, seq)));
  assert.equal(results.filter((r) => r.changed && r.seq === 9).length, 1);
  assert.equal((await store.get(bob, sessionid))?.readSeq, 9);
});

test('unread counts skip own messages, deleted ones and change events; mentions count apart', async () => {
  const fresh = (await new SessionStore(t.db).createGroup(alice, { name: 'counts', visabletype: 1, jointype: 0 }))._id.toHexString();
  sessionid = fresh;
  await send(alice, 1);
  await send(bob, 2);
  await send(alice, 3, [bob]);
  const gone = await send(alice, 4, ['all']);
  await t.db.messages.updateOne({ _id: gone.message._id }, { $set: { deleted: true } });
  await batcher.submitChange({ sessionid, senduid: alice, change: { kind: 'pin', msgid: gone.message._id.toHexString(), pinned: true } });
  await send(alice, 5, ['all']);
  assert.deepEqual(await store.unreadCounts(bob, sessionid, 0), { unread: 3, unreadMentions: 2 });
  assert.deepEqual(await store.unreadCounts(bob, sessionid, 3), { unread: 1, unreadMentions: 1 });
  assert.deepEqual(await store.unreadCounts(alice, sessionid, 0), { unread: 1, unreadMentions: 0 });
  assert.equal(await store.headSeq(sessionid), 6);
});

test('mutes: until turned off, until a time, and cleared', async () => {
  const now = Date.now();
  await store.setMute(alice, sessionid, { muted: true });
  await store.setMute(bob, sessionid, { muted: true, mutedUntil: now + 60_000 });
  assert.deepEqual([...(await store.mutedAmong(sessionid, [alice, bob], now))].sort(), [alice, bob]);
  assert.deepEqual([...(await store.mutedAmong(sessionid, [alice, bob], now + 120_000))], [alice], 'an expired mute does not count');
  await store.setMute(alice, sessionid, { muted: false });
  assert.deepEqual([...(await store.mutedAmong(sessionid, [alice, bob], now))], [bob]);
  const doc = await store.get(alice, sessionid);
  assert.equal(doc?.muted, undefined);
  assert.equal(doc?.readSeq, 0, 'a mute alone records nothing read');
});
