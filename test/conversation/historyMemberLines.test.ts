/**
 * History pages carry the membership events among their messages (`updates`, kind `member`), so a
 * client that opens a conversation shows "Bob joined" lines where they happened, not only the ones
 * it saw live or in sync. Each page answers the events between its oldest message and the page
 * after it; the last (short) page reaches back to the start.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { connectSocket, createGroup, http, joinGroup, registerUser, sendText, sessionToken, type TestSocket } from '../support/client';
import { startServer, type RunningServer } from '../support/server';

let server: RunningServer;
let socket: TestSocket | undefined;

before(async () => {
  server = await startServer();
});
after(async () => {
  socket?.disconnect();
  await server.stop();
});

test('history pages answer the join and leave events among their messages, each once', async () => {
  const [alice, bob, carol] = await Promise.all([registerUser(server.url, 'Alice'), registerUser(server.url, 'Bob'), registerUser(server.url, 'Carol')]);
  const { sessionid } = await createGroup(server.url, alice, 'Lines');
  await joinGroup(server.url, bob, sessionid);
  socket = await connectSocket(server.url, alice.token);
  const token = await sessionToken(server.url, alice, sessionid);
  for (let i = 0; i < 3; i++) await sendText(socket, token, `early ${i}`);
  await joinGroup(server.url, carol, sessionid);
  for (let i = 0; i < 3; i++) await sendText(socket, token, `late ${i}`);
  const left = await http(server.url, 'POST', `/api/sessions/${sessionid}/leave`, { token: bob.token });
  assert.equal(left.status, 204);

  const newest = await http(server.url, 'GET', `/api/sessions/${sessionid}/messages?limit=2`, { token: alice.token });
  assert.equal(newest.status, 200);
  const oldestShown = newest.body.messages.at(-1).seq;
  // the first page: only events after its oldest message (Bob leaving, after the last message)
  assert.deepEqual(
    newest.body.updates.map((u: { uid: string; action: string }) => [u.uid, u.action]),
    [[bob.uid, 'leave']],
  );
  for (const update of newest.body.updates) {
    assert.equal(update.kind, 'member');
    assert.ok(update.seq > oldestShown);
  }

  const older = await http(server.url, 'GET', `/api/sessions/${sessionid}/messages?limit=100&before=${oldestShown}`, { token: alice.token });
  // the rest reaches the start: Bob's and Carol's joins, between the pages' messages by seq
  assert.deepEqual(
    older.body.updates.map((u: { uid: string; action: string }) => [u.uid, u.action]),
    [
      [bob.uid, 'join'],
      [carol.uid, 'join'],
    ],
  );
  const seqs = [...newest.body.messages, ...older.body.messages, ...newest.body.updates, ...older.body.updates].map((e: { seq: number }) => e.seq);
  assert.equal(new Set(seqs).size, seqs.length, 'no event on two pages');
});
