import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { test } from 'node:test';
import { http } from '../support/client';
import { startServer } from '../support/server';

/**
 * Issue 10, finding 5: slow-header and silent connections are closed within the configured bounds,
 * on a standalone node and behind the cluster primary (which reads request heads itself), while
 * normal requests and a slow but steady request body go on.
 */

const HEADERS_TIMEOUT_MS = 2000;
const IDLE_TIMEOUT_MS = 2000;
/** The bound plus Node's connection check (every second) and room for a heavily loaded machine. */
const CLOSED_WITHIN_MS = 10_000;
/** How long a connection is watched before it counts as never closed (Node's own defaults: 60 s and more). */
const WATCH_MS = 14_000;

interface Watched {
  label: string;
  closedAfterMs: Promise<number>;
}

/** Opens a connection, runs `drive` on it, and resolves how long it stayed open (Infinity: still open after WATCH_MS). */
function watch(port: number, label: string, drive: (socket: Socket) => () => void): Watched {
  const socket = connect(port, '127.0.0.1');
  const opened = Date.now();
  socket.on('error', () => undefined);
  socket.resume();
  const stopDriving = drive(socket);
  const closedAfterMs = new Promise<number>((resolve) => {
    const timer = setTimeout(() => {
      stopDriving();
      socket.destroy();
      resolve(Infinity);
    }, WATCH_MS);
    // The server's end (FIN) or a reset: either way the server gave the connection up.
    const done = () => {
      clearTimeout(timer);
      stopDriving();
      resolve(Date.now() - opened);
      socket.destroy();
    };
    socket.once('end', done);
    socket.once('close', done);
  });
  return { label, closedAfterMs };
}

/** One header line now and then, never the blank line that ends the head. */
function slowHeaders(socket: Socket): () => void {
  socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n');
  let n = 0;
  const timer = setInterval(() => socket.write(`X-Slow-${n++}: ${'a'.repeat(10)}\r\n`), 2500);
  return () => clearInterval(timer);
}

/** Half a request line, then nothing. */
const halfLine = (socket: Socket) => {
  socket.write('GET /heal');
  return () => undefined;
};

/** Nothing at all. */
const silent = () => () => undefined;

/** A complete head announcing a body that stops after a byte. */
const stalledBody = (socket: Socket) => {
  socket.write('POST /api/users HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{');
  return () => undefined;
};

/** A body sent a few bytes at a time, for longer than both bounds, but never idle for long. */
async function steadySlowBody(port: number): Promise<string> {
  const body = JSON.stringify({ login: `slow${Date.now()}@example.test`, nickname: 'Slow', password: 'correct horse battery' });
  const socket = connect(port, '127.0.0.1');
  let answer = '';
  socket.on('data', (d) => (answer += d.toString()));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('error', () => undefined);
  socket.write(`POST /api/users HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n`);
  const pieces = Math.ceil((HEADERS_TIMEOUT_MS + IDLE_TIMEOUT_MS + 1000) / 400);
  const size = Math.ceil(body.length / pieces);
  for (let i = 0; i < body.length && !socket.destroyed; i += size) {
    await new Promise((r) => setTimeout(r, 400));
    socket.write(body.slice(i, i + size));
  }
  await Promise.race([closed, new Promise((r) => setTimeout(r, 10_000))]);
  socket.destroy();
  return answer;
}

for (const workers of [1, 2]) {
  test(`WORKERS=${workers}: slow-header, half-line, silent and stalled-body connections are closed within the bound; others are served`, { timeout: 120_000 }, async () => {
    const server = await startServer({ workers, env: { HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS), IDLE_TIMEOUT_MS: String(IDLE_TIMEOUT_MS) } });
    try {
      const watched: Watched[] = [
        ...Array.from({ length: 24 }, (_, i) => watch(server.port, `slow headers #${i}`, slowHeaders)),
        ...Array.from({ length: 5 }, (_, i) => watch(server.port, `half line #${i}`, halfLine)),
        ...Array.from({ length: 3 }, (_, i) => watch(server.port, `silent #${i}`, silent)),
        ...Array.from({ length: 3 }, (_, i) => watch(server.port, `stalled body #${i}`, stalledBody)),
      ];
      const steady = steadySlowBody(server.port);
      // Meanwhile the node serves everyone else.
      for (let i = 0; i < 5; i++) {
        assert.equal((await http(server.url, 'GET', '/healthz', { timeoutMs: 5000 })).status, 200);
        await new Promise((r) => setTimeout(r, 300));
      }
      const results = await Promise.all(watched.map(async (w) => ({ label: w.label, ms: await w.closedAfterMs })));
      const late = results.filter((r) => r.ms > CLOSED_WITHIN_MS);
      assert.deepEqual(late, [], `closed within ${CLOSED_WITHIN_MS} ms (bounds ${HEADERS_TIMEOUT_MS}/${IDLE_TIMEOUT_MS} ms)`);
      // A slow body that keeps coming is neither a slow head nor idle: it is answered.
      const answer = await steady;
      assert.match(answer, /^HTTP\/1\.1 201 /, `the slow but steady request is served (${answer.slice(0, 80) || 'no answer'})`);
      assert.equal((await http(server.url, 'GET', '/healthz', { timeoutMs: 5000 })).status, 200);
    } finally {
      await server.stop();
    }
  });
}
