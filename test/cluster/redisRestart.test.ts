import assert from 'node:assert/strict';
import { test } from 'node:test';
import { collect } from '../support/client';
import { checkHistory, FailoverClient, fullHistory, sendSteadily, startTopology, type SendOutcome, hasRedisServer, sendersOnTwoNodes } from '../support/cluster';
import { sleep } from '../support/wait';

test('restart Redis under load: acks continue, fan-out across nodes resumes, nothing acknowledged is lost', { timeout: 120_000, skip: !hasRedisServer() && 'redis-server is not installed (npm test installs it as root)' }, async (t) => {
  const topo = await startTopology({ nodes: 2 });
  const nodeB = topo.nodes[1];
  const clients: FailoverClient[] = [];
  try {
    const { users, sessionid, tokens } = await sendersOnTwoNodes(topo, ['Ra', 'Rb', 'Rc', 'Rd'], 'Broker restart', clients);

    const stopAt = Date.now() + 9000;
    const runs = clients.map((c, i) => sendSteadily(c, tokens[i], stopAt, 20));
    await sleep(2000);
    await topo.redis.kill();
    const killedAt = Date.now();
    await sleep(2000);
    await topo.redis.start();
    const restartedAt = Date.now();
    const results = await Promise.all(runs);

    // Fan-out resumed: what A's clients sent from a few seconds after the restart reached B's clients live.
    const settleMs = 3000;
    const lateFromA = results.slice(0, 2).flatMap((r) => r.outcomes.filter((o) => o.at > restartedAt + settleMs));
    const lateFromB = results.slice(2).flatMap((r) => r.outcomes.filter((o) => o.at > restartedAt + settleMs));
    await sleep(1000);
    assert.ok(lateFromA.length > 20 && lateFromB.length > 20, 'sends continued after the restart');
    for (const c of clients.slice(2)) for (const o of lateFromA) assert.ok(c.seen.has(o.msgid), `${c.label} (node B) got ${o.seq} live`);
    for (const c of clients.slice(0, 2)) for (const o of lateFromB) assert.ok(c.seen.has(o.msgid), `${c.label} (node A) got ${o.seq} live`);
    // And one more round trip across the nodes, now.
    const probe = collect(clients[3].socket!, 'message', 1, (m) => m.msg === 'probe after restart');
    await clients[0].send(tokens[0], 'probe after restart', Date.now() + 10_000);
    await probe;

    const liveBeforeSync = clients.map((c) => [...c.seen.values()].filter((m) => m.sessionid === sessionid).length);
    const acked = new Map<string, SendOutcome[]>(clients.map((c, i) => [c.label, results[i].outcomes]));
    const history = await fullHistory(nodeB.url, users[0], sessionid);
    const { stored, ackedTotal } = checkHistory(history.filter((m) => m.msg !== 'probe after restart'), acked);
    const attempted = results.reduce((n, r) => n + r.attempted, 0);
    assert.equal(results.reduce((n, r) => n + r.unacked, 0), 0);
    assert.equal(stored, ackedTotal);
    for (const c of clients) {
      await c.catchUp([sessionid]);
      const mine = [...c.seen.values()].filter((m) => m.sessionid === sessionid).map((m) => m.msgid).sort();
      assert.deepEqual(mine, history.map((m) => m.msgid).sort(), `${c.label} has every message after sync`);
    }
    const counts = {
      fault: 'redis restart',
      sent: attempted,
      acknowledged: ackedTotal,
      foundInHistory: stored,
      outageMs: restartedAt - killedAt,
      ackedDuringOutage: results.flatMap((r) => r.outcomes).filter((o) => o.at > killedAt && o.at < restartedAt).length,
      liveSeenBeforeSync: liveBeforeSync,
      historyTotal: history.length,
      errors: clients.map((c) => c.errors),
    };
    console.log(JSON.stringify(counts));
    t.diagnostic(JSON.stringify(counts));
  } finally {
    for (const c of clients) c.close();
    await topo.stop();
  }
});
