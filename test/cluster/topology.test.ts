import assert from 'node:assert/strict';
import { test } from 'node:test';
import { collect, connectWithWelcome, createGroup, http, registerUser, sendText, sessionToken, type TestSocket } from '../support/client';
import { startTopology, hasRedisServer } from '../support/cluster';

/**
 * docker-compose's topology without Docker: Redis, the database and two nodes as processes, each node
 * with its own DATA_DIR (like separate hosts) and WORKERS=2, reached on their own ports.
 */
test('Redis + database + two nodes of two workers each: every process of every node shares the rooms', { timeout: 120_000, skip: !hasRedisServer() && 'redis-server is not installed (npm test installs it as root)' }, async () => {
  const topo = await startTopology({ nodes: 2, workers: 2 });
  const sockets: TestSocket[] = [];
  try {
    const [nodeA, nodeB] = topo.nodes;
    for (const node of topo.nodes) assert.equal((await http(node.url, 'GET', '/healthz')).status, 200);
    const owner = await registerUser(nodeA.url, 'Owner');
    const group = await createGroup(nodeA.url, owner, 'Four processes');
    const token = await sessionToken(nodeB.url, owner, group.sessionid);

    // Connect until both worker processes of both nodes serve a socket.
    const byProcess = new Map<string, TestSocket>();
    for (let i = 0; i < 16 && byProcess.size < 4; i++) {
      const { socket, node } = await connectWithWelcome(topo.nodes[i % 2].url, owner.token);
      sockets.push(socket);
      if (!byProcess.has(node)) byProcess.set(node, socket);
    }
    assert.equal(byProcess.size, 4, `four serving processes (${[...byProcess.keys()].join(', ')})`);

    // A long-polling client (sticky inside its node) on node B hears it too.
    const poller = await connectWithWelcome(nodeB.url, owner.token, ['polling']);
    sockets.push(poller.socket);
    for (const [from, sender] of byProcess) {
      const text = `from ${from}`;
      const heard = [...byProcess.values(), poller.socket].map((s) => collect(s, 'message', 1, (m) => m.msg === text));
      const ack = await sendText(sender, token, text);
      assert.ok(ack.msgid);
      await Promise.all(heard);
    }
    // Membership changes made on one node reach sockets on the other.
    const late = await registerUser(nodeB.url, 'Late');
    const lateConn = await connectWithWelcome(nodeB.url, late.token);
    sockets.push(lateConn.socket);
    await http(nodeA.url, 'POST', `/api/sessions/${group.sessionid}/join`, { token: late.token });
    const toLate = collect(lateConn.socket, 'message', 1, (m) => m.msg === 'welcome across nodes');
    await sendText(byProcess.values().next().value!, token, 'welcome across nodes');
    await toLate;
  } finally {
    for (const s of sockets) s.close();
    await topo.stop();
  }
});
