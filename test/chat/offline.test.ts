import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { connectSocket, createGroup, emitAck, http, registerUser, sendText, sessionToken } from '../support/client';
import { startServer, type RunningServer } from '../support/server';

let server: RunningServer;
before(async () => {
  server = await startServer();
});
after(() => server.stop());

test('B is offline while A sends 5 messages; B connects, syncs, and gets exactly those 5, in order, once', async () => {
  const url = server.url;
  const a = await registerUser(url, 'A');
  const b = await registerUser(url, 'B');
  const group = await createGroup(url, a, 'Inbox');
  await http(url, 'POST', `/api/sessions/${group.sessionid}/join`, { token: b.token });
  const token = await sessionToken(url, a, group.sessionid);
  const aSocket = await connectSocket(url, a.token);
  await sendText(aSocket, token, 'seen before going offline');

  // B saw everything up to here, then goes offline.
  let bSocket = await connectSocket(url, b.token);
  const first = await emitAck(bSocket, 'sync', { cursors: { [group.sessionid]: 0 } });
  assert.deepEqual(first.messages.map((m: { msg: string }) => m.msg), ['seen before going offline']);
  const cursor = first.messages[0].seq;
  bSocket.close();

  const sent = [];
  for (let i = 1; i <= 5; i++) sent.push(await sendText(aSocket, token, `while away ${i}`));

  bSocket = await connectSocket(url, b.token);
  const live: unknown[] = [];
  bSocket.on('message', (m) => live.push(m));
  const synced = await emitAck(bSocket, 'sync', { cursors: { [group.sessionid]: cursor } });
  assert.deepEqual(
    synced.messages.map((m: { msg: string }) => m.msg),
    ['while away 1', 'while away 2', 'while away 3', 'while away 4', 'while away 5'],
  );
  assert.deepEqual(synced.messages.map((m: { msgid: string }) => m.msgid), sent.map((s) => s.msgid));
  assert.equal(synced.more, false);
  assert.equal(live.length, 0, 'nothing old is pushed live a second time');

  // The server kept B's cursor: a sync naming no cursor resumes from it and gets nothing again.
  const again = await emitAck(bSocket, 'sync', { cursors: {} });
  assert.equal(again.messages.length, 0);
  bSocket.close();
  aSocket.close();
});

test('sync refuses bad cursors and skips sessions the user is not in', async () => {
  const url = server.url;
  const a = await registerUser(url, 'A2');
  const b = await registerUser(url, 'B2');
  const group = await createGroup(url, a, 'Not for B');
  const token = await sessionToken(url, a, group.sessionid);
  const aSocket = await connectSocket(url, a.token);
  await sendText(aSocket, token, 'secret');
  const bSocket = await connectSocket(url, b.token);
  const res = await emitAck(bSocket, 'sync', { cursors: { [group.sessionid]: 0 } });
  assert.equal(res.messages.length, 0);
  assert.equal((await emitAck(bSocket, 'sync', { cursors: { [group.sessionid]: -1 } })).error.code, 'invalid_input');
  assert.equal((await emitAck(bSocket, 'sync', { cursors: { 'not-an-id': 0 } })).error.code, 'invalid_input');
  assert.equal((await emitAck(bSocket, 'sync', {} as never)).error.code, 'invalid_input');
  aSocket.close();
  bSocket.close();
});
