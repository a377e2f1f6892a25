import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkHistory, FailoverClient, fullHistory, sendSteadily, startTopology, type SendOutcome, hasRedisServer, sendersOnTwoNodes } from '../support/cluster';
import { sleep } from '../support/wait';

async function health(url: string): Promise<number> {
  try {
    const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(5000) });
    await res.text();
    return res.status;
  } catch {
    return 0;
  }
}

async function waitHealth(urls: string[], status: number, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    const statuses = await Promise.all(urls.map(health));
    if (statuses.every((s) => s === status)) return Date.now() - started;
    await sleep(200);
  }
  throw new Error(`/healthz did not answer ${status} on every node within ${timeoutMs} ms`);
}

test('kill the database (SIGKILL) and start it again while clients send: retryable errors, nothing acknowledged unstored, service resumes', { timeout: 120_000, skip: !hasRedisServer() && 'redis-server is not installed (npm test installs it as root)' }, async (t) => {
  const topo = await startTopology({ nodes: 2 });
  const nodeB = topo.nodes[1];
  const clients: FailoverClient[] = [];
  try {
    const { users, sessionid, tokens, urls } = await sendersOnTwoNodes(topo, ['Da', 'Db', 'Dc', 'Dd'], 'Database restart', clients);
    await waitHealth(urls, 200, 5000);

    let stopAt = Date.now() + 60_000;
    const runs = clients.map((c, i) => sendSteadily(c, tokens[i], stopAt, 20));
    // sendSteadily reads stopAt once; stop it through the clients' deadline below instead.
    await sleep(2000);
    await topo.mongo.kill();
    const killedAt = Date.now();
    const to503Ms = await waitHealth(urls, 503, 15_000);
    // Down for longer than the driver's server selection timeout (10 s): waiting sends then fail.
    await sleep(Math.max(0, 12_500 - (Date.now() - killedAt)));
    // The database answers before start() has seen it answer: waiting sends may be acked in between.
    const restartingAt = Date.now();
    await topo.mongo.start();
    const restartedAt = Date.now();
    const to200Ms = await waitHealth(urls, 200, 30_000);
    await sleep(3000);
    stopAt = Date.now();
    for (const c of clients) c.stopSending = true;
    const results = await Promise.all(runs);

    const all = results.flatMap((r) => r.outcomes);
    const acked = new Map<string, SendOutcome[]>(clients.map((c, i) => [c.label, results[i].outcomes]));
    const history = await fullHistory(nodeB.url, users[0], sessionid);
    const { stored, ackedTotal } = checkHistory(history, acked);
    assert.equal(results.reduce((n, r) => n + r.unacked, 0), 0, 'every send was acknowledged in the end');
    assert.equal(stored, ackedTotal, 'no message stored twice or without its sender learning it');
    const errorCodes = new Set(clients.flatMap((c) => Object.keys(c.errors)));
    for (const code of errorCodes) assert.ok(['unavailable:retryable', 'ack_timeout'].includes(code), `only retryable failures (${code})`);
    assert.ok(all.some((o) => o.at > restartedAt + 1000), 'sends succeed again after the restart');
    assert.ok(errorCodes.has('unavailable:retryable'), 'sends waiting past the server selection timeout fail as unavailable, retryable');
    for (const c of clients) {
      await c.catchUp([sessionid]);
      const mine = [...c.seen.values()].filter((m) => m.sessionid === sessionid).map((m) => m.msgid).sort();
      assert.deepEqual(mine, history.map((m) => m.msgid).sort(), `${c.label} has every message after sync`);
    }
    const counts = {
      fault: 'database SIGKILL + restart',
      sent: results.reduce((n, r) => n + r.attempted, 0),
      acknowledged: ackedTotal,
      foundInHistory: stored,
      healthz503AfterMs: to503Ms,
      downMs: restartedAt - killedAt,
      healthz200AfterRestartMs: to200Ms,
      errors: clients.map((c) => c.errors),
      // Sent after the database was gone and acknowledged before it was started again. (A late ack
      // for a message stored just before the kill is fine, and is found in history above.)
      ackedWhileDown: all.filter((o) => o.sentAt > killedAt && o.at < restartingAt).length,
    };
    console.log(JSON.stringify(counts));
    t.diagnostic(JSON.stringify(counts));
    assert.equal(counts.ackedWhileDown, 0, 'nothing is acknowledged while the database is down');
  } finally {
    for (const c of clients) c.close();
    await topo.stop();
  }
});
