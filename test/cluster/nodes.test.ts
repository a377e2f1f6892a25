import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, test } from 'node:test';
import { createServer } from 'node:http';
import pino from 'pino';
import { Server } from 'socket.io';
import { useBrokerAdapter } from '../../signaling/broker/brokerAdapter';
import type { EmbeddedRedisInfo } from '../../standins/redis/embeddedRedisTypes';
import { PidLockFile } from '../../standins/supervisor/PidLockFile';
import { collect, connectWithWelcome, createGroup, emitAck, http, registerUser, sendText, sessionToken } from '../support/client';
import { freshDataDir, startServer, type RunningServer } from '../support/server';
import { readJson } from '../support/cluster';
import { sleep } from '../support/wait';

/**
 * S1/S2 as in the original notes: two nodes started with nothing configured on one machine (the
 * second takes the next free port) share conversations through the embedded Redis of their DATA_DIR.
 */
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
let dataDir: string;
let nodeA: RunningServer;
let nodeB: RunningServer;

before(async () => {
  dataDir = freshDataDir('two-nodes');
  const env = { REDIS_IDLE_MS: '1500', DEVMONGO_IDLE_MS: '1500', MEDIA_WORKERS: '1' };
  nodeA = await startServer({ dataDir, env });
  nodeB = await startServer({ dataDir, env, port: nodeA.port });
});

after(async () => {
  await Promise.all([nodeA?.stop(), nodeB?.stop()]);
});

test('the second node takes the next free port and both use the embedded Redis (S2)', () => {
  assert.ok(nodeB.port > nodeA.port);
  for (const server of [nodeA, nodeB]) {
    const entry = server.listening;
    assert.equal(entry.fanout, 'redis-streams');
    assert.equal(entry.redis, 'embedded');
  }
  const info = readJson<EmbeddedRedisInfo>(path.join(dataDir, 'redis', 'server.json'));
  assert.ok(info && PidLockFile.isProcessAlive(info.redisPid), 'one embedded Redis serves both nodes');
});

test('users on different nodes see each other\'s messages, presence and typing (S1)', async () => {
  const a = await registerUser(nodeA.url, 'On A');
  const b = await registerUser(nodeB.url, 'On B');
  const group = await createGroup(nodeA.url, a, 'Across nodes');
  assert.equal((await http(nodeB.url, 'POST', `/api/sessions/${group.sessionid}/join`, { token: b.token })).status, 200);

  const right = await connectWithWelcome(nodeB.url, b.token);
  const online = collect(right.socket, 'presence', 1, (p) => p.uid === a.uid && p.status === 'online');
  const left = await connectWithWelcome(nodeA.url, a.token);
  assert.notEqual(left.node, right.node);
  await online;

  const typing = collect(right.socket, 'typing', 1, (p) => p.uid === a.uid);
  await emitAck(left.socket, 'typing', { sessionid: group.sessionid });
  assert.equal((await typing)[0].sessionid, group.sessionid);

  const toRight = collect(right.socket, 'message', 1, (m) => m.msg === 'hello from A');
  await sendText(left.socket, await sessionToken(nodeA.url, a, group.sessionid), 'hello from A');
  assert.equal((await toRight)[0].nickname, 'On A');
  const toLeft = collect(left.socket, 'message', 1, (m) => m.msg === 'hello from B');
  await sendText(right.socket, await sessionToken(nodeB.url, b, group.sessionid), 'hello from B');
  assert.equal((await toLeft)[0].senduid, b.uid);

  const away = collect(right.socket, 'presence', 1, (p) => p.uid === a.uid && p.status === 'away');
  await emitAck(left.socket, 'presence:set', { status: 'away' });
  await away;
  const offline = collect(right.socket, 'presence', 1, (p) => p.uid === a.uid && p.status === 'offline');
  left.socket.close();
  await offline;
  right.socket.close();
});

test('a client that was offline on one node syncs everything on the other (S13)', async (t) => {
  const [a, b, late] = [await registerUser(nodeA.url, 'Sender A'), await registerUser(nodeB.url, 'Sender B'), await registerUser(nodeA.url, 'Away')];
  const group = await createGroup(nodeA.url, a, 'Offline across nodes');
  for (const u of [b, late]) await http(nodeA.url, 'POST', `/api/sessions/${group.sessionid}/join`, { token: u.token });
  const ta = await sessionToken(nodeA.url, a, group.sessionid);
  const tb = await sessionToken(nodeB.url, b, group.sessionid);
  const sa = await connectWithWelcome(nodeA.url, a.token);
  const sb = await connectWithWelcome(nodeB.url, b.token);
  const before = [];
  for (let i = 0; i < 5; i++) before.push(await sendText(sa.socket, ta, `before ${i}`));

  // The late user reads on node A, then goes offline.
  const first = await connectWithWelcome(nodeA.url, late.token);
  const seen = await emitAck(first.socket, 'sync', { cursors: { [group.sessionid]: 0 } });
  assert.equal(seen.messages.length, 5);
  first.socket.close();

  const acks = [];
  for (let i = 0; i < 40; i++) acks.push(await sendText(i % 2 ? sb.socket : sa.socket, i % 2 ? tb : ta, `while away ${i}`));

  // Back, on node B: the server-kept cursor (from the sync on node A) and an explicit one agree.
  const back = await connectWithWelcome(nodeB.url, late.token);
  assert.notEqual(back.node, first.node);
  const stored = await emitAck(back.socket, 'sync', { cursors: {} });
  const lastBefore = before[before.length - 1].seq;
  const explicit = await emitAck(back.socket, 'sync', { cursors: { [group.sessionid]: lastBefore } });
  for (const res of [stored, explicit]) {
    assert.deepEqual(res.messages.map((m: { msgid: string }) => m.msgid), acks.map((x) => x.msgid));
    assert.deepEqual(res.messages.map((m: { seq: number }) => m.seq), acks.map((_, i) => lastBefore + 1 + i));
  }
  const counts = { fault: 'offline on node A, back on node B', sentWhileAway: acks.length, acknowledged: acks.length, syncedOnOtherNode: stored.messages.length };
  console.log(JSON.stringify(counts));
  t.diagnostic(JSON.stringify(counts));
  for (const s of [sa.socket, sb.socket, back.socket]) s.close();
});

test('serverSideEmit with acks crosses processes over the Redis Streams adapter (the calls RPC path)', async () => {
  const info = readJson<EmbeddedRedisInfo>(path.join(dataDir, 'redis', 'server.json'))!;
  const prefix = `cookim:rpc-test-${process.pid}`;
  const peer = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'test/cluster/fixtures/rpcPeer.ts')], {
    cwd: root,
    env: { ...process.env, REDIS_URL: info.url, PREFIX: prefix },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: peer.stdout! });
  const nextLine = () => new Promise<any>((resolve) => lines.once('line', (l) => resolve(JSON.parse(l))));
  const io = new Server(createServer());
  const broker = await useBrokerAdapter(io, { redisUrl: info.url, prefix, logger: pino({ level: 'warn' }), clusterWorker: false });
  try {
    assert.deepEqual(await nextLine(), { ready: true, kind: 'redis-streams' });
    io.on('test:rpc' as never, ((payload: unknown, ack: (a: unknown) => void) => ack({ from: 'test', echo: payload })) as never);
    const adapter = io.of('/').adapter as unknown as { serverCount(): Promise<number> };
    for (let i = 0; i < 100 && (await adapter.serverCount()) < 2; i++) await sleep(50);
    assert.equal(await adapter.serverCount(), 2);

    const answers = await new Promise<unknown[]>((resolve, reject) =>
      (io as unknown as { serverSideEmit(e: string, p: unknown, ack: (err: Error | null, a: unknown[]) => void): void }).serverSideEmit('test:rpc', { n: 41 }, (err, a) =>
        err ? reject(err) : resolve(a),
      ),
    );
    assert.deepEqual(answers, [{ from: 'peer', pid: peer.pid, echo: { n: 41 } }]);
    const reply = nextLine();
    peer.stdin!.write('ask\n');
    assert.deepEqual(await reply, { err: null, answers: [{ from: 'test', echo: { from: 'peer' } }] });
  } finally {
    peer.stdin!.write('exit\n');
    await new Promise((r) => peer.once('exit', r));
    await io.close();
    await broker.close();
  }
});

test('after both nodes stop, the embedded Redis and the development database exit by themselves', async () => {
  await Promise.all([nodeA.stop(), nodeB.stop()]);
  const info = readJson<EmbeddedRedisInfo>(path.join(dataDir, 'redis', 'server.json'))!;
  const devmongo = readJson<{ pid: number }>(path.join(dataDir, 'devmongo', 'server.json'));
  const deadline = Date.now() + 20_000;
  const alive = () => [info.pid, info.redisPid, devmongo?.pid ?? 0].filter((pid) => PidLockFile.isProcessAlive(pid));
  while (alive().length && Date.now() < deadline) await sleep(200);
  assert.deepEqual(alive(), [], 'redis-server, its supervisor and devmongo are gone');
  assert.equal(existsSync(path.join(dataDir, 'redis', 'server.json')), false);
});
