import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { MessageBatcher } from '../../storage/MessageBatcher';
import type { MessageDraft } from '../../storage/MessageBatcherTypes';
import { SessionStore } from '../../storage/SessionStore';
import { openTestDatabase, type TestDatabase } from '../support/mongo';

let t: TestDatabase;
let sessions: SessionStore;

before(async () => {
  t = await openTestDatabase();
  sessions = new SessionStore(t.db);
});
after(() => t.close());

const draft = (sessionid: string, i: number, uuid = `u${i}`, senduid = 'a'.repeat(24)): MessageDraft => ({
  sessionid,
  senduid,
  nickname: 'Tester',
  msgtype: 0,
  content: `message ${i}`,
  uuid,
});

async function newSession(): Promise<string> {
  return (await sessions.createGroup('a'.repeat(24), { name: 'batch', visabletype: 1, jointype: 0 }))._id.toHexString();
}

test('sends within the window go to the database in one insertMany, each settled once stored', async () => {
  const batches: number[] = [];
  const batcher = new MessageBatcher(t.db, { windowMs: 20, onBatch: (size) => batches.push(size) });
  const sessionid = await newSession();
  const stored = await Promise.all(Array.from({ length: 30 }, (_, i) => batcher.submit(draft(sessionid, i))));
  assert.deepEqual(batches, [30]);
  assert.deepEqual(stored.map((s) => s.message.seq), Array.from({ length: 30 }, (_, i) => i + 1));
  assert.equal(await t.db.messages.countDocuments({ sessionid }), 30);
  const head = await sessions.get(sessionid);
  assert.equal(head.lastSeq, 30);
  assert.equal(head.lastMessage?.content, 'message 29');
  await batcher.close();
});

test('two batchers (two processes) writing one session concurrently keep seqs unique and gapless', async () => {
  const sessionid = await newSession();
  const one = new MessageBatcher(t.db, { windowMs: 1 });
  const two = new MessageBatcher(t.db, { windowMs: 1 });
  const results = await Promise.all(
    Array.from({ length: 120 }, (_, i) => (i % 2 ? one : two).submit(draft(sessionid, i, `two-${i}`))),
  );
  const seqs = results.map((r) => r.message.seq).sort((a, b) => a - b);
  assert.deepEqual(seqs, Array.from({ length: 120 }, (_, i) => i + 1));
  const docs = await t.db.messages.find({ sessionid }).sort({ seq: 1 }).toArray();
  assert.deepEqual(docs.map((d) => d.seq), seqs);
  assert.equal(new Set(docs.map((d) => d.uuid)).size, 120);
  await Promise.all([one.close(), two.close()]);
});

test('a uuid sent again, also racing through two batchers, is stored once and answered with the first message', async () => {
  const sessionid = await newSession();
  const one = new MessageBatcher(t.db, { windowMs: 1 });
  const two = new MessageBatcher(t.db, { windowMs: 1 });
  const [x, y, z] = await Promise.all([one.submit(draft(sessionid, 1, 'same')), two.submit(draft(sessionid, 1, 'same')), one.submit(draft(sessionid, 1, 'same'))]);
  assert.equal(new Set([x, y, z].map((r) => r.message._id.toHexString())).size, 1);
  assert.equal([x, y, z].filter((r) => !r.duplicate).length, 1);
  const next = await one.submit(draft(sessionid, 2, 'next'));
  assert.equal(next.message.seq, 2, 'no seq was lost to the duplicate');
  assert.equal(await t.db.messages.countDocuments({ sessionid }), 2);
  await Promise.all([one.close(), two.close()]);
});

test('a session that does not exist is refused and nothing is stored', async () => {
  const batcher = new MessageBatcher(t.db);
  await assert.rejects(batcher.submit(draft('b'.repeat(24), 1)), { code: 'session_not_found' });
  assert.equal(await t.db.messages.countDocuments({ sessionid: 'b'.repeat(24) }), 0);
  await batcher.close();
});

test('close stores what is pending, then refuses new messages', async () => {
  const sessionid = await newSession();
  const batcher = new MessageBatcher(t.db, { windowMs: 50 });
  const pending = Array.from({ length: 5 }, (_, i) => batcher.submit(draft(sessionid, i)));
  await batcher.close();
  assert.equal((await Promise.all(pending)).length, 5);
  assert.equal(await t.db.messages.countDocuments({ sessionid }), 5);
  await assert.rejects(batcher.submit(draft(sessionid, 9)), { code: 'unavailable' });
});
