// standins/supervisor: one detached server per folder, however many callers ask at once, reused
// while it answers and replaced once it is gone.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { PidLockFile } from '../../standins/supervisor/PidLockFile';
import { ensureSupervisedProcess } from '../../standins/supervisor/ensureSupervisedProcess';
import type { SupervisedProcessOptions, SupervisedServer, SupervisedServerInfo } from '../../standins/supervisor/supervisedProcessTypes';

const dirs: string[] = [];
const pids: number[] = [];

/** A server that listens on a loopback port, writes server.json and lives until killed. */
const SERVER_SOURCE = `
import net from 'node:net';
import { writeServerInfo } from ${JSON.stringify(path.resolve(import.meta.dirname, '../../standins/supervisor/serverInfoFile.ts'))};
const dir = process.argv[process.argv.indexOf('--dir') + 1];
const server = net.createServer((socket) => socket.end('pong'));
server.listen(0, '127.0.0.1', () => writeServerInfo(dir, { port: server.address().port, pid: process.pid }));
`;

function ping(port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const timer = setTimeout(() => finish(false), timeoutMs);
    let answer = '';
    const finish = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    socket.on('data', (chunk) => (answer += chunk));
    socket.on('end', () => finish(answer === 'pong'));
    socket.on('error', () => finish(false));
  });
}

/** A test server of its own folder (which also holds its source). */
function testServer(): { server: SupervisedServer; options: SupervisedProcessOptions } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'supervisor-test-'));
  dirs.push(dir);
  const source = path.join(dir, 'server.ts');
  fs.writeFileSync(source, SERVER_SOURCE);
  return {
    server: { name: 'the test server', ping, entry: { source, bundle: 'unused.js' }, dirOption: '--dir' },
    options: { dir, onSpawned: (pid) => pids.push(pid) },
  };
}

after(() => {
  for (const pid of pids) if (PidLockFile.isProcessAlive(pid)) process.kill(pid, 'SIGTERM');
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

describe('ensureSupervisedProcess', () => {
  test('concurrent callers share one spawned server, later callers reuse it', async () => {
    const { server, options } = testServer();
    const results = await Promise.all([1, 2, 3].map(() => ensureSupervisedProcess<SupervisedServerInfo>(server, options)));
    assert.equal(new Set(results.map((r) => r.info.pid)).size, 1, 'one server');
    assert.equal(results.filter((r) => r.started).length, 1, 'spawned once');
    assert.deepEqual(pids.length, 1);

    const again = await ensureSupervisedProcess<SupervisedServerInfo>(server, options);
    assert.equal(again.started, false);
    assert.equal(again.info.pid, results[0].info.pid);
    assert.equal(fs.existsSync(path.join(options.dir, 'spawn.lock')), false, 'the spawn lock is released');
  });

  test('a server that is gone is replaced', async () => {
    const { server, options } = testServer();
    const first = await ensureSupervisedProcess<SupervisedServerInfo>(server, options);
    process.kill(first.info.pid, 'SIGKILL');
    while (PidLockFile.isProcessAlive(first.info.pid)) await new Promise((r) => setTimeout(r, 20));
    const second = await ensureSupervisedProcess<SupervisedServerInfo>(server, options);
    assert.equal(second.started, true);
    assert.notEqual(second.info.pid, first.info.pid);
  });

  test('a server that dies during start is reported with its log', async () => {
    const { server, options } = testServer();
    fs.writeFileSync(server.entry.source, 'process.exit(3);\n');
    await assert.rejects(ensureSupervisedProcess(server, options), /the test server \(pid \d+\) exited during start; see .*server\.log/);
  });
});
