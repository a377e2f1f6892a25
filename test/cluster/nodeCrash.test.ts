import assert from 'node:assert/strict';
import { test } from 'node:test';
import { collect, connectWithWelcome, createGroup, http, registerUser, sessionToken, type TestUser } from '../support/client';
import { checkHistory, FailoverClient, fullHistory, sendSteadily, startTopology, type SendOutcome, hasRedisServer } from '../support/cluster';
import { sleep } from '../support/wait';

test('kill -9 one of two nodes while clients send: clients fail over, every acknowledged message is stored once, in order', { timeout: 120_000, skip: !hasRedisServer() && 'redis-server is not installed (npm test installs it as root)' }, async (t) => {
  const topo = await startTopology({ nodes: 2, env: { ONLINE_TTL: '6' } });
  const [nodeA, nodeB] = topo.nodes;
  const urls = [nodeA.url, nodeB.url];
  const clients: FailoverClient[] = [];
  try {
    const users: TestUser[] = [];
    for (const name of ['Ada', 'Bo', 'Cy', 'Di']) users.push(await registerUser(nodeA.url, name));
    const ghost = await registerUser(nodeA.url, 'Ghost');
    const group = await createGroup(nodeA.url, users[0], 'Crash room');
    for (const u of [...users.slice(1), ghost]) {
      assert.equal((await http(nodeB.url, 'POST', `/api/sessions/${group.sessionid}/join`, { token: u.token })).status, 200);
    }
    // Two senders start on node A, two on node B; each fails over to the other URL.
    users.forEach((u, i) => clients.push(new FailoverClient(u, urls, i < 2 ? 0 : 1)));
    await Promise.all(clients.map((c) => c.connect()));
    // Ghost stays on node A only: when A dies its online record is left behind.
    const ghostConn = await connectWithWelcome(nodeA.url, ghost.token);
    const observer = clients[2];
    assert.ok(observer.socket);
    const ghostOffline = collect(observer.socket!, 'presence', 1, (p) => p.uid === ghost.uid && p.status === 'offline', 40_000);

    const tokens = await Promise.all(users.map((u) => sessionToken(nodeB.url, u, group.sessionid)));
    const stopAt = Date.now() + 7000;
    const runs = clients.map((c, i) => sendSteadily(c, tokens[i], stopAt, 20));
    await sleep(2500);
    await nodeA.kill();
    const killedAt = Date.now();
    const results = await Promise.all(runs);
    await ghostOffline;
    const presenceAfterMs = Date.now() - killedAt;

    const acked = new Map<string, SendOutcome[]>(clients.map((c, i) => [c.label, results[i].outcomes]));
    const history = await fullHistory(nodeB.url, users[0], group.sessionid);
    const { stored, ackedTotal } = checkHistory(history, acked);
    const attempted = results.reduce((n, r) => n + r.attempted, 0);
    const unacked = results.reduce((n, r) => n + r.unacked, 0);
    assert.equal(unacked, 0, 'every send was acknowledged in the end (retried with its uuid)');
    assert.equal(stored, ackedTotal, 'nothing stored that was not acknowledged eventually, and nothing twice');

    // Every client ends with the same messages (after sync).
    for (const c of clients) {
      await c.catchUp([group.sessionid]);
      const mine = [...c.seen.values()].filter((m) => m.sessionid === group.sessionid).map((m) => m.msgid).sort();
      assert.deepEqual(mine, history.map((m) => m.msgid).sort(), `${c.label} has every message`);
    }
    for (const c of clients.slice(0, 2)) assert.ok(c.reconnects >= 1, `${c.label} failed over to node B`);
    const counts = {
      fault: 'node kill -9',
      sent: attempted,
      acknowledged: ackedTotal,
      foundInHistory: stored,
      sendAttempts: results.reduce((n, r) => n + r.outcomes.reduce((a, o) => a + o.attempts, 0), 0),
      failovers: clients.map((c) => c.reconnects),
      errors: clients.map((c) => c.errors),
      liveDeliveries: clients.map((c) => c.liveDeliveries),
      deadNodePresenceOfflineAfterMs: presenceAfterMs,
    };
    console.log(JSON.stringify(counts));
    t.diagnostic(JSON.stringify(counts));
    ghostConn.socket.close();
  } finally {
    for (const c of clients) c.close();
    await topo.stop();
  }
});
