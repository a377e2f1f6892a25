import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { collect, connectSocket, connectWithWelcome, createGroup, http, registerUser, sendText, sessionToken, type TestSocket } from '../support/client';
import { hasRedisServer, startTopology } from '../support/cluster';
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

test(
  'across two nodes: friends:update reaches both users, and a kicked member on the other node is told and leaves the room (S26)',
  { timeout: 120_000, skip: !hasRedisServer() && 'redis-server is not installed (npm test installs it as root)' },
  async () => {
    const topo = await startTopology({ nodes: 2, env: { AUTH_RATE_PER_MINUTE: '1000' } });
    try {
      const [one, two] = topo.nodes.map((n) => n.url) as [string, string];
      const [ann, ben] = await Promise.all([registerUser(one, 'Ann'), registerUser(two, 'Ben')]);
      const [annSocket, benSocket] = await Promise.all([connectSocket(one, ann.token), connectSocket(two, ben.token)]);
      try {
        const annSees = collect(annSocket, 'friends:update', 1);
        const benSees = collect(benSocket, 'friends:update', 1);
        await http(one, 'POST', '/api/friends/requests', { token: ann.token, body: { uid: ben.uid } });
        assert.deepEqual((await annSees)[0], { uid: ben.uid, state: 'outgoing' });
        assert.deepEqual((await benSees)[0], { uid: ann.uid, state: 'incoming' });

        // Ann (node one) kicks Ben (socket on node two) from her group.
        const group = await createGroup(one, ann, 'Across nodes', { jointype: 0 });
        await http(two, 'POST', `/api/sessions/${group.sessionid}/join`, { token: ben.token });
        const benToken = await sessionToken(two, ben, group.sessionid);
        const removed = collect(benSocket, 'session:removed', 1, (e) => e.sessionid === group.sessionid);
        assert.equal((await http(one, 'DELETE', `/api/sessions/${group.sessionid}/members/${ben.uid}`, { token: ann.token })).status, 204);
        await removed;
        const refused = await sendText(benSocket, benToken, 'after the kick');
        assert.equal(refused.error?.code, 'not_member');
      } finally {
        annSocket.close();
        benSocket.close();
      }
    } finally {
      await topo.stop();
    }
  },
);
