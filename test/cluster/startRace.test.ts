import assert from 'node:assert/strict';
import { test } from 'node:test';
import { io } from 'socket.io-client';
import { freePort, startServer, type RunningServer } from '../support/server';

/**
 * Issue 10, finding 1: requests reaching a node while it starts (or while a dead worker is being
 * replaced) must be answered, served or 503 with Retry-After, never left hanging.
 */

const ANSWER_WITHIN_MS = 2000;

type Outcome =
  | { kind: 'served'; status: number; node?: string }
  | { kind: 'unavailable'; retryAfter: string | null }
  | { kind: 'refused' }
  | { kind: 'socket-connected' }
  | { kind: 'socket-error'; message: string }
  | { kind: 'hung'; what: string };

async function probeHttp(base: string, path: string): Promise<Outcome> {
  try {
    const res = await fetch(`${base}${path}`, { signal: AbortSignal.timeout(ANSWER_WITHIN_MS) });
    const text = await res.text();
    if (res.status === 503 && res.headers.get('retry-after')) return { kind: 'unavailable', retryAfter: res.headers.get('retry-after') };
    let node: string | undefined;
    try {
      node = (JSON.parse(text) as { node?: string }).node;
    } catch {
      /* not JSON */
    }
    return { kind: 'served', status: res.status, node };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    if (e.name === 'TimeoutError') return { kind: 'hung', what: `GET ${path}` };
    // Before the port is bound the kernel refuses at once: answered, not hanging.
    if (e.cause?.code === 'ECONNREFUSED') return { kind: 'refused' };
    return { kind: 'socket-error', message: `GET ${path}: ${e.cause?.code ?? e.message}` };
  }
}

function probeSocket(base: string): Promise<Outcome> {
  return new Promise((resolve) => {
    // No token: a node that serves answers with connect_error `unauthorized`; one that starts, with a 503 handshake.
    const socket = io(base, { transports: ['websocket'], reconnection: false, forceNew: true, timeout: 60_000 });
    const done = (outcome: Outcome) => {
      clearTimeout(timer);
      socket.close();
      resolve(outcome);
    };
    const timer = setTimeout(() => done({ kind: 'hung', what: 'websocket connect' }), ANSWER_WITHIN_MS);
    socket.once('connect', () => done({ kind: 'socket-connected' }));
    socket.once('connect_error', (err) => done({ kind: 'socket-error', message: err.message }));
  });
}

/** Fires the probes every `everyMs` until `until` settles, then waits for all of them. */
async function probeUntil(base: string, until: Promise<unknown>, everyMs = 100): Promise<Outcome[]> {
  const probes: Promise<Outcome>[] = [];
  let done = false;
  void until.finally(() => {
    done = true;
  });
  while (!done) {
    probes.push(probeHttp(base, '/healthz'), probeHttp(base, '/api/live'), probeSocket(base));
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return Promise.all(probes);
}

function summary(outcomes: Outcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const o of outcomes) {
    const key = o.kind === 'served' ? `served ${o.status}` : o.kind === 'socket-error' ? `socket-error ${o.message}` : o.kind === 'hung' ? `hung ${o.what}` : o.kind;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

function assertNoneHung(outcomes: Outcome[], phase: string): void {
  const hung = outcomes.filter((o) => o.kind === 'hung');
  assert.equal(hung.length, 0, `${phase}: ${hung.length} of ${outcomes.length} requests got no answer within ${ANSWER_WITHIN_MS} ms (${JSON.stringify(summary(outcomes))})`);
}

async function workerPids(base: string, count: number): Promise<Set<number>> {
  const pids = new Set<number>();
  for (let i = 0; i < 40 && pids.size < count; i++) {
    const o = await probeHttp(base, '/healthz');
    if (o.kind === 'served' && o.node) pids.add(Number(o.node.split(':').pop()));
  }
  return pids;
}

test('a node of two workers answers every request and socket connect while it starts and while workers are replaced', { timeout: 180_000 }, async () => {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let server: RunningServer | undefined;
  const starting = startServer({ workers: 2, port, env: { PORT_SEARCH: '1' } }).then((s) => (server = s));
  try {
    // From before the port is bound until the node says it listens (every worker ready).
    const duringStart = await probeUntil(base, starting);
    await starting;
    assertNoneHung(duringStart, 'while starting');
    assert.ok(
      duringStart.some((o) => o.kind === 'unavailable' || o.kind === 'served' || o.kind === 'socket-error'),
      `the port was probed once bound (${JSON.stringify(summary(duringStart))})`,
    );
    for (const o of duringStart) if (o.kind === 'unavailable') assert.ok(Number(o.retryAfter) >= 1, 'Retry-After names seconds');

    // Ready: everything is served.
    const ready = await probeUntil(base, new Promise((r) => setTimeout(r, 600)));
    assertNoneHung(ready, 'once ready');
    assert.ok(ready.every((o) => o.kind === 'served' || o.kind === 'socket-error'), JSON.stringify(summary(ready)));
    assert.ok(ready.filter((o) => o.kind === 'socket-error').every((o) => o.kind === 'socket-error' && o.message === 'unauthorized'), JSON.stringify(summary(ready)));

    const pids = await workerPids(base, 2);
    assert.equal(pids.size, 2, 'both workers serve');
    const [first, second] = [...pids];

    // One worker dies: its replacement starts while the other one serves.
    process.kill(first, 'SIGKILL');
    const oneDown = await probeUntil(base, new Promise((r) => setTimeout(r, 3000)));
    assertNoneHung(oneDown, 'with one worker replaced');

    // Every worker dies at once: connections wait for a replacement, or get 503 + Retry-After.
    const alive = [...(await workerPids(base, 2))].filter((pid) => pid !== first);
    for (const pid of new Set([second, ...alive])) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    const replaced = (async () => {
      for (;;) {
        const o = await probeHttp(base, '/healthz');
        if (o.kind === 'served' && o.status === 200) return;
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    const allDown = await probeUntil(base, replaced);
    assertNoneHung(allDown, 'with every worker replaced');
    assert.ok(allDown.some((o) => o.kind === 'unavailable'), `503 + Retry-After while no worker was ready (${JSON.stringify(summary(allDown))})`);
  } finally {
    await starting.catch(() => undefined);
    await server?.stop();
  }
});
