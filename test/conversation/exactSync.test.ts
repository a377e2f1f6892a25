import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { connectSocket, createGroup, http, joinGroup, registerUser, sendText, sessionToken } from '../support/client';
import { fullHistory } from '../support/cluster';
import { startServer, type RunningServer } from '../support/server';
import { waitFor } from '../support/wait';
import { ConversationState, coversExactly, del, edit, ok, pin, react, reply } from './conversationSteps';

let server: RunningServer;
before(async () => {
  server = await startServer();
});
after(() => server.stop());

const lastSeqOf = async (token: string, sessionid: string): Promise<number> =>
  (await http(server.url, 'GET', `/api/sessions/${sessionid}`, { token })).body.session.lastSeq;

test('a client offline during sends, edits, deletes, reactions, pins, joins and leaves syncs to exactly the live state', async () => {
  const url = server.url;
  const [a, w, b, d, e] = await Promise.all(['Alice', 'Watcher', 'Bob', 'Dora', 'Eve'].map((n) => registerUser(url, n)));
  const group = await createGroup(url, a!, 'Exact');
  const sessionid = group.sessionid;
  await joinGroup(url, w!, sessionid);
  await joinGroup(url, b!, sessionid);
  const aSocket = await connectSocket(url, a!.token);
  const aToken = await sessionToken(url, a!, sessionid);
  const m1 = await sendText(aSocket, aToken, 'one');
  const m2 = await sendText(aSocket, aToken, 'two');

  // Both clients start from the same point: a sync from the beginning.
  const wSocket = await connectSocket(url, w!.token);
  const watcher = new ConversationState(sessionid);
  watcher.watch(wSocket);
  await watcher.syncFrom(wSocket, 0);
  let bSocket = await connectSocket(url, b!.token);
  const offline = new ConversationState(sessionid);
  await offline.syncFrom(bSocket, 0);
  const cursor = offline.contiguousUpTo();
  assert.equal(cursor, await lastSeqOf(b!.token, sessionid));
  bSocket.close();

  // While B is away.
  const wToken = await sessionToken(url, w!, sessionid);
  const m3 = await sendText(aSocket, aToken, 'three');
  ok(await edit(aSocket, aToken, m1.msgid, 'one, edited'));
  ok(await edit(aSocket, aToken, m3.msgid, 'three, edited inside the window'));
  ok(await react(wSocket, wToken, m2.msgid, '👍'));
  ok(await react(aSocket, aToken, m3.msgid, '🎉'));
  ok(await pin(aSocket, aToken, m2.msgid));
  await joinGroup(url, d!, sessionid);
  const dSocket = await connectSocket(url, d!.token);
  const dToken = await sessionToken(url, d!, sessionid);
  const m4 = await sendText(dSocket, dToken, 'four, soon gone');
  ok(await del(aSocket, aToken, m4.msgid));
  ok(await del(aSocket, aToken, m1.msgid));
  ok(await react(wSocket, wToken, m2.msgid, '👍', false));
  assert.equal((await http(url, 'POST', `/api/sessions/${sessionid}/members`, { token: a!.token, body: { uid: e!.uid } })).status, 200);
  assert.equal((await http(url, 'POST', `/api/sessions/${sessionid}/leave`, { token: d!.token })).status, 204);
  ok(await reply(wSocket, wToken, 'five, a reply', m2.msgid));
  // Some at once: they batch and still take one seq each.
  const burst = await Promise.all([
    react(aSocket, aToken, m2.msgid, '❤️'),
    react(wSocket, wToken, m2.msgid, '❤️'),
    edit(aSocket, aToken, m2.msgid, 'two, edited in a burst'),
    sendText(aSocket, aToken, 'six'),
    sendText(wSocket, wToken, 'seven'),
    pin(aSocket, aToken, m3.msgid),
  ]);
  burst.forEach((x) => ok(x));
  const lastSeq = await lastSeqOf(a!.token, sessionid);
  await waitFor('the watcher saw everything live', () => watcher.contiguousUpTo() === lastSeq, 10_000, 50);

  bSocket = await connectSocket(url, b!.token);
  const synced = await offline.syncFrom(bSocket, cursor);
  assert.ok(coversExactly(synced, cursor, lastSeq), `sync covers every seq from ${cursor} to ${lastSeq} once: ${[...synced].sort((x, y) => x - y).join(',')}`);
  assert.ok(coversExactly(watcher.seqs, 0, lastSeq), 'the watcher saw every seq once');
  assert.deepEqual(offline.ordered(), watcher.ordered(), 'the offline client ends in the live client\'s state');
  assert.deepEqual(offline.ordered(), await fullHistory(url, b!, sessionid), 'and in the history\'s');

  // Spot checks of the state itself.
  const byId = offline.messages;
  assert.equal(byId.get(m1.msgid)!.deleted, true);
  assert.equal(byId.get(m3.msgid)!.msg, 'three, edited inside the window');
  assert.equal(byId.get(m2.msgid)!.pinned, true);
  assert.deepEqual(
    byId.get(m2.msgid)!.reactions!.map((r) => r.emoji),
    ['❤️'],
  );
  for (const socket of [aSocket, wSocket, bSocket, dSocket]) socket.close();
});

test('membership events are shown in the conversation as kind member', async () => {
  const url = server.url;
  const [a, b] = await Promise.all(['Host', 'Guest'].map((n) => registerUser(url, n)));
  const group = await createGroup(url, a!, 'Members');
  const aSocket = await connectSocket(url, a!.token);
  const state = new ConversationState(group.sessionid);
  const updates: { kind: string; uid?: string; action?: string }[] = [];
  aSocket.on('message:update', (u) => updates.push(u));
  state.watch(aSocket);
  await joinGroup(url, b!, group.sessionid);
  await http(url, 'POST', `/api/sessions/${group.sessionid}/leave`, { token: b!.token });
  await waitFor('two membership events', () => updates.length === 2, 5000, 50);
  assert.deepEqual(
    updates.map((u) => [u.kind, u.uid, u.action]),
    [
      ['member', b!.uid, 'join'],
      ['member', b!.uid, 'leave'],
    ],
  );
  assert.deepEqual(state.seqs, [1, 2]);
  aSocket.close();
});
