import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { MessageChangeDoc } from '../../storage/documents';
import { foldMessage } from '../../storage/foldMessage';
import { MessageBatcher } from '../../storage/MessageBatcher';
import { MessageChangeStore } from '../../storage/MessageChangeStore';
import { SessionStore } from '../../storage/SessionStore';
import { openTestDatabase, type TestDatabase } from '../support/mongo';

let t: TestDatabase;
let sessions: SessionStore;

before(async () => {
  t = await openTestDatabase();
  sessions = new SessionStore(t.db);
});
after(() => t.close());

const author = 'a'.repeat(24);
const other = 'b'.repeat(24);

async function newSession(): Promise<string> {
  return (await sessions.createGroup(author, { name: 'changes', visabletype: 1, jointype: 0 }))._id.toHexString();
}

test('messages and change events from two batchers (two processes) share one gapless seq', async () => {
  const sessionid = await newSession();
  const one = new MessageBatcher(t.db, { windowMs: 1 });
  const two = new MessageBatcher(t.db, { windowMs: 1 });
  const first = await one.submit({ sessionid, senduid: author, nickname: 'A', msgtype: 0, content: 'target', uuid: 'target' });
  const msgid = first.message._id.toHexString();
  const seqs = await Promise.all(
    Array.from({ length: 120 }, async (_, i) => {
      const batcher = i % 2 ? one : two;
      if (i % 3 === 0) return (await batcher.submit({ sessionid, senduid: author, nickname: 'A', msgtype: 0, content: `m${i}`, uuid: `m${i}` })).message.seq;
      return (await batcher.submitChange({ sessionid, senduid: i % 2 ? author : other, change: { kind: 'reaction', msgid, emoji: '👍', on: i % 4 < 2 } })).seq;
    }),
  );
  assert.deepEqual([...seqs, first.message.seq].sort((a, b) => a - b), Array.from({ length: 121 }, (_, i) => i + 1));
  const head = await sessions.get(sessionid);
  assert.equal(head.lastSeq, 121);
  assert.ok(head.lastMessage && !('change' in head.lastMessage), 'the list preview stays a message');
  await Promise.all([one.close(), two.close()]);
});

test('a change stored but not applied (a crash between the two steps) is applied by the next apply, once', async () => {
  const sessionid = await newSession();
  const batcher = new MessageBatcher(t.db, { windowMs: 1 });
  const changes = new MessageChangeStore(t.db);
  const { message } = await batcher.submit({ sessionid, senduid: author, nickname: 'A', msgtype: 0, content: 'before', uuid: 'crash' });
  const msgid = message._id.toHexString();
  const edit = await batcher.submitChange({ sessionid, senduid: author, change: { kind: 'edit', msgid, msg: 'after' } });
  // The process "died" here: nothing applied yet.
  assert.equal((await t.db.messages.findOne({ _id: message._id }))!.content, 'before');
  const [repaired] = await changes.repair([message], [edit]);
  assert.equal(repaired!.content, 'after');
  assert.equal(repaired!.original, 'before');
  assert.equal(repaired!.version, edit.seq);
  // Applying again changes nothing.
  const again = await changes.apply(msgid);
  assert.deepEqual(again, repaired);
  // History reads messages without their events: it finds what is behind through the index.
  const pin = await batcher.submitChange({ sessionid, senduid: author, change: { kind: 'pin', msgid, pinned: true } });
  const [page] = await changes.current([again!]);
  assert.equal(page!.pinned, true);
  assert.equal(page!.version, pin.seq);
  assert.deepEqual(await changes.current([page!]), [page], 'a message up to date is answered as it is');
  await batcher.close();
});

test('foldMessage: order by seq, reactions per user, nothing after a delete', () => {
  const base = { _id: null as never, sessionid: 's', seq: 1, senduid: author, nickname: 'A', msgtype: 0 as const, content: 'hi', size: 2, uuid: 'u', dateline: 1 };
  const change = (seq: number, senduid: string, c: MessageChangeDoc['change']): MessageChangeDoc => ({ _id: null as never, sessionid: 's', seq, senduid, uuid: `~${seq}`, change: c, dateline: seq });
  const msgid = 'm';
  const changesList = [
    change(5, other, { kind: 'reaction', msgid, emoji: '👍', on: false }),
    change(2, other, { kind: 'reaction', msgid, emoji: '👍', on: true }),
    change(3, author, { kind: 'reaction', msgid, emoji: '👍', on: true }),
    change(4, author, { kind: 'edit', msgid, msg: 'hello' }),
    change(6, author, { kind: 'pin', msgid, pinned: true }),
  ];
  assert.deepEqual(foldMessage(base, changesList), {
    content: 'hello',
    size: 5,
    version: 6,
    original: 'hi',
    editedAt: 4,
    reactions: [{ emoji: '👍', uids: [author] }],
    pinned: true,
  });
  const deleted = foldMessage(base, [...changesList, change(7, author, { kind: 'delete', msgid }), change(8, author, { kind: 'edit', msgid, msg: 'late' })]);
  assert.deepEqual(deleted, { content: '', size: 0, version: 8, deleted: true, reactions: [] });
});

test("a message's change events have their own index, which leaves messages out", async () => {
  const index = (await t.db.messages.listIndexes().toArray()).find((x) => x.name === 'change_msgid_seq');
  assert.ok(index);
  assert.deepEqual(index.key, { 'change.msgid': 1, seq: 1 });
  assert.deepEqual(index.partialFilterExpression, { 'change.msgid': { $exists: true } });
});

test('a preview attaches through the same path and shows in the message', () => {
  const base = { _id: null as never, sessionid: 's', seq: 1, senduid: author, nickname: 'A', msgtype: 0 as const, content: 'see https://example.test', size: 24, uuid: 'u', dateline: 1 };
  const preview = { url: 'https://example.test', title: 'Example', imageFileId: 'f'.repeat(24) };
  const state = foldMessage(base, [{ _id: null as never, sessionid: 's', seq: 2, senduid: author, uuid: '~2', change: { kind: 'preview', msgid: 'm', preview }, dateline: 2 }]);
  assert.deepEqual(state.preview, preview);
  assert.equal(state.version, 2);
  assert.equal(state.editedAt, undefined, 'a preview is not an edit');
});
