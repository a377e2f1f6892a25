/**
 * The primary's connection balancer (signaling/cluster/ConnectionBalancer.ts) and long-polling
 * sessions, over real TCP connections, with two stand-in workers that record what they are handed:
 * a request for a session its worker has not announced yet waits for the announcement and goes to
 * that worker (not to the least loaded one, which would answer "unknown session"); a session nobody
 * announces goes on after the wait; a known session goes at once.
 */
import assert from 'node:assert/strict';
import cluster, { type Worker } from 'node:cluster';
import net from 'node:net';
import { after, before, test } from 'node:test';
import pino from 'pino';
import { ConnectionBalancer } from '../../signaling/cluster/ConnectionBalancer';
import { waitFor } from '../support/wait';

/** A worker stand-in: what it was handed (the request heads), confirmed at once. */
class FakeWorker {
  readonly heads: string[] = [];
  readonly process = { pid: 0 };

  constructor(readonly name: string) {}

  send(msg: { data: Buffer }, socket: net.Socket, _options: unknown, done: (err: Error | null) => void): boolean {
    this.heads.push(msg.data.toString('latin1'));
    socket.destroy();
    done(null);
    return true;
  }
}

const sid = (c: string) => c.repeat(20);
let server: net.Server;
let port = 0;
let balancer: ConnectionBalancer;
const [east, west] = [new FakeWorker('east'), new FakeWorker('west')];
const asWorker = (w: FakeWorker) => w as unknown as Worker;

before(async () => {
  balancer = new ConnectionBalancer({ headersTimeoutMs: 5000, holdMs: 5000, maxHeaderBytes: 16_384, logger: pino({ level: 'silent' }) });
  balancer.workerReady(asWorker(east));
  balancer.workerReady(asWorker(west));
  server = net.createServer((socket) => balancer.accept(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as net.AddressInfo).port;
});

after(async () => {
  balancer.close();
  await new Promise((resolve) => server.close(resolve));
});

function announce(worker: FakeWorker, session: string): void {
  cluster.emit('message', asWorker(worker), { type: 'sticky:connection', data: session });
}

/** Sends a polling request for `session` on a new connection. */
function poll(session: string): void {
  const client = net.connect(port, '127.0.0.1', () => client.write(`GET /socket.io/?EIO=4&transport=polling&sid=${session} HTTP/1.1\r\nHost: x\r\n\r\n`));
  client.on('error', () => undefined);
}

const handed = (w: FakeWorker, session: string) => w.heads.some((h) => h.includes(`sid=${session}`));

test('a request that overtakes its session’s announcement waits for it and goes to that worker', async () => {
  // both workers announcing in turn: whichever the least-load rule would pick, the owner gets it
  for (const [owner, other, s] of [[west, east, sid('a')], [east, west, sid('d')]] as const) {
    poll(s);
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.equal(handed(owner, s) || handed(other, s), false, 'held while its session is unknown');
    announce(owner, s);
    await waitFor('handed to the announcing worker', () => handed(owner, s), 2000);
    assert.equal(handed(other, s), false);
  }
});

test('a known session goes at once; an unknown one goes on after the wait', async () => {
  const known = sid('b');
  announce(east, known);
  const t0 = Date.now();
  poll(known);
  await waitFor('the known session handed over', () => handed(east, known), 2000);
  assert.ok(Date.now() - t0 < 500, 'no wait for a known session');

  const stale = sid('c');
  const t1 = Date.now();
  poll(stale);
  await waitFor('the unknown session handed to some worker', () => handed(east, stale) || handed(west, stale), 3000);
  assert.ok(Date.now() - t1 >= 900, `it waited for an announcement first (${Date.now() - t1} ms)`);
});

test('a request without a session is never held', async () => {
  const t0 = Date.now();
  const before = east.heads.length + west.heads.length;
  const client = net.connect(port, '127.0.0.1', () => client.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n'));
  client.on('error', () => undefined);
  await waitFor('handed over', () => east.heads.length + west.heads.length > before, 2000);
  assert.ok(Date.now() - t0 < 500);
});
