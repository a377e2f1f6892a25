import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { collect, connectWithWelcome, http, registerUser, type TestSocket } from '../support/client';
import { startServer, type RunningServer } from '../support/server';

let server: RunningServer;
before(async () => {
  server = await startServer({ workers: 2 });
});
after(() => server.stop());

test('friends:update reaches both users when they are served by different processes (S26)', async () => {
  const url = server.url;
  const [ann, ben] = await Promise.all([registerUser(url, 'Ann'), registerUser(url, 'Ben')]);
  // Least-connection balancing: keep connecting Ben until his socket lands on the other process.
  const left = await connectWithWelcome(url, ann.token);
  const extra: TestSocket[] = [];
  let right = await connectWithWelcome(url, ben.token);
  for (let i = 0; i < 10 && right.node === left.node; i++) {
    extra.push(right.socket);
    right = await connectWithWelcome(url, ben.token);
  }
  assert.notEqual(right.node, left.node, 'the two users are served by different processes');

  const annSees = collect(left.socket, 'friends:update', 1);
  const benSees = collect(right.socket, 'friends:update', 1);
  assert.equal((await http(url, 'POST', '/api/friends/requests', { token: ann.token, body: { uid: ben.uid } })).status, 200);
  assert.deepEqual((await annSees)[0], { uid: ben.uid, state: 'outgoing' });
  assert.deepEqual((await benSees)[0], { uid: ann.uid, state: 'incoming' });

  const bothFriends = [collect(left.socket, 'friends:update', 1), collect(right.socket, 'friends:update', 1)];
  await http(url, 'POST', `/api/friends/requests/${ann.uid}/accept`, { token: ben.token });
  assert.deepEqual((await bothFriends[0]!)[0], { uid: ben.uid, state: 'friends' });
  assert.deepEqual((await bothFriends[1]!)[0], { uid: ann.uid, state: 'friends' });

  for (const s of [left.socket, right.socket, ...extra]) s.close();
});
