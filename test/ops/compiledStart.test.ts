/**
 * `npm start` runs the server compiled to JavaScript (scripts/build-server.mjs -> build/server):
 * a two-worker node serves HTTP and Socket.IO, and none of its processes (primary, cluster workers,
 * the spawned embedded-Redis supervisor and devmongo server) runs TypeScript through tsx.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { collect, connectSocket, createGroup, http, registerUser, sendText, sessionToken } from '../support/client';
import { freshDataDir } from '../support/server';
import { buildServer, cmdline, descendants, root, spawnNode, waitHealthy, workerPids, type NodeProcess } from './nodeProcess';

let node: NodeProcess;

before(async () => {
  buildServer();
  node = await spawnNode({ mode: 'compiled', dataDir: freshDataDir('cookim-compiled'), workers: 2 });
  await waitHealthy(node.url);
});
after(async () => {
  await node?.stop();
});

test('the build holds every process entry point with source maps', () => {
  for (const name of ['main', 'embeddedRedisMain', 'devmongoMain']) {
    assert.ok(existsSync(path.join(root, 'build', 'server', `${name}.js`)), `${name}.js`);
    assert.ok(existsSync(path.join(root, 'build', 'server', `${name}.js.map`)), `${name}.js.map`);
  }
});

test('the compiled node answers /healthz and carries a message over Socket.IO', async () => {
  const health = await http(node.url, 'GET', '/healthz');
  assert.equal(health.status, 200);
  const alice = await registerUser(node.url, 'Alice');
  const group = await createGroup(node.url, alice, 'Compiled');
  const token = await sessionToken(node.url, alice, group.sessionid);
  const socket = await connectSocket(node.url, alice.token);
  try {
    const text = `compiled ${randomUUID()}`;
    const echo = collect(socket, 'message', 1, (m) => m.msg === text);
    const ack = await sendText(socket, token, text);
    assert.match(ack.msgid, /^[0-9a-f]{24}$/);
    assert.equal((await echo)[0].sessionid, group.sessionid);
  } finally {
    socket.close();
  }
});

test('no process of the compiled node loads tsx or runs an esbuild service', () => {
  const primary = node.child.pid!;
  const workers = workerPids(primary, 'compiled');
  assert.equal(workers.length, 2, 'two cluster workers');
  const tree = [primary, ...descendants(primary)].map((pid) => ({ pid, cmd: cmdline(pid) })).filter((p) => p.cmd);
  // The spawned helpers of this fresh DATA_DIR are the node's children (the embedded Redis where
  // redis-server is installed).
  if (node.output().includes('spawned the embedded Redis')) assert.ok(tree.some((p) => p.cmd.includes('build/server/embeddedRedisMain.js')), 'embedded Redis supervisor compiled');
  assert.ok(tree.some((p) => p.cmd.includes('build/server/devmongoMain.js')), 'devmongo server compiled');
  for (const p of tree) {
    assert.doesNotMatch(p.cmd, /tsx|esbuild|\.ts(\s|$)/, `process ${p.pid} runs ${p.cmd}`);
  }
});
