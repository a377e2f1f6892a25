/**
 * `npm run bench -- connections [--max 10000] [--step 1000] [--users 200] [--rssLimitMb 4096] [--p99LimitMs 1000]`
 *
 * How many idle connected clients one serving process (WORKERS=1) holds: websocket clients are
 * added in steps (authenticated, joined to their rooms, online records written and kept alive like
 * any client) until `--max`, a memory limit, a latency limit (p99 of `sync` round trips on probe
 * sockets) or connection failures. After each step it prints one JSON line: connections, the
 * server's RSS, RSS per connection over the empty server, and the probe latency.
 */
import { readdirSync, readFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import jwt from 'jsonwebtoken';
import { io, type Socket } from 'socket.io-client';
import { startServer } from '../test/support/server';
import { connectInspector, type Inspector } from './lib/inspector';
import { numberArgs, percentile, printJson } from './lib/args';
import { seedUsersInRooms } from './lib/seed';

const args = numberArgs({ max: 10_000, step: 1000, users: 200, rssLimitMb: 4096, p99LimitMs: 1000, heapSnapshots: 0, afterGc: 0 });
const SECRET = 'bench-secret';
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const DB = 'cookim_bench_connections';

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

/** The server's V8 heap (used, total) in MB from /metrics, when it answers (it may need a token). */
async function heapMb(): Promise<{ heapUsedMb?: number; heapTotalMb?: number }> {
  try {
    const res = await fetch(`${server.url}/metrics`, { signal: AbortSignal.timeout(5000) });
    const text = await res.text();
    const read = (name: string) => {
      const m = new RegExp(`^${name} ([0-9.e+]+)$`, 'm').exec(text);
      return m ? Number((Number(m[1]) / 1048576).toFixed(1)) : undefined;
    };
    return res.ok ? { heapUsedMb: read('nodejs_heap_size_used_bytes'), heapTotalMb: read('nodejs_heap_size_total_bytes') } : {};
  } catch {
    return {};
  }
}

async function seed(url: string): Promise<string[]> {
  return (await seedUsersInRooms(url, DB, args.users, 20, 'idle')).map((m) => m.uid);
}

function connect(url: string, token: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = io(url, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true, timeout: 20_000 });
    s.once('connect', () => resolve(s));
    s.once('connect_error', (err) => {
      s.close();
      reject(err);
    });
  });
}

async function probeLatency(probes: Socket[]): Promise<number[]> {
  const times: number[] = [];
  for (let round = 0; round < 5; round++) {
    await Promise.all(
      probes.map(async (s) => {
        const started = performance.now();
        await s.timeout(10_000).emitWithAck('sync', { cursors: {} });
        times.push(performance.now() - started);
      }),
    );
  }
  return times.sort((a, b) => a - b);
}

// --heapSnapshots 1: the server writes a heap snapshot (into its DATA_DIR) before the ramp and at the end.
// --afterGc 1: also figures after a full garbage collection, forced through the inspector.
if (args.afterGc) process.env.COOKIM_NODE_ARGS = `${process.env.COOKIM_NODE_ARGS ?? ''} --inspect=127.0.0.1:0`.trim();
if (args.heapSnapshots) process.env.COOKIM_NODE_ARGS = `${process.env.COOKIM_NODE_ARGS ?? ''} --heapsnapshot-signal=SIGUSR2`.trim();
async function heapSnapshot(label: string): Promise<void> {
  if (!args.heapSnapshots) return;
  const before = new Set(readdirSync(root));
  server.process.kill('SIGUSR2');
  for (let i = 0; i < 600; i++) {
    await new Promise((r) => setTimeout(r, 500));
    const written = readdirSync(root).find((f) => f.endsWith('.heapsnapshot') && !before.has(f));
    // The file is complete once the server answers again.
    if (written && (await fetch(`${server.url}/healthz`).then((r) => r.ok, () => false))) {
      const target = path.join(server.dataDir, `${label}.heapsnapshot`);
      renameSync(path.join(root, written), target);
      printJson({ bench: 'connections', heapSnapshot: target });
      return;
    }
  }
}

const server = await startServer({ workers: 1, env: { JWT_SECRET: SECRET, MONGO_DB: DB, MEDIA_WORKERS: '1', REDIS_IDLE_MS: '5000', DEVMONGO_IDLE_MS: '5000' } });
const sockets: Socket[] = [];
const inspector: Inspector | null = args.afterGc ? await connectInspector(server.dataDir) : null;
let baseGc: Awaited<ReturnType<Inspector['collectAndMeasure']>> | null = null;
/** RSS and heap after a full GC, with the growth per connection over the empty server's. */
async function afterGc(connections: number): Promise<Record<string, number>> {
  if (!inspector) return {};
  const m = await inspector.collectAndMeasure();
  baseGc ??= m;
  const per = (now: number, base: number) => Number((((now - base) * 1024) / Math.max(1, connections)).toFixed(1));
  return connections === 0
    ? { gcRssMb: m.rssMb, gcHeapUsedMb: m.heapUsedMb }
    : { gcRssMb: m.rssMb, gcHeapUsedMb: m.heapUsedMb, gcRssPerConnectionKb: per(m.rssMb, baseGc.rssMb), gcHeapPerConnectionKb: per(m.heapUsedMb, baseGc.heapUsedMb) };
}
try {
  const mongoUrl = process.env.MONGO_URL ?? `mongodb://127.0.0.1:${JSON.parse(readFileSync(path.join(server.dataDir, 'devmongo', 'server.json'), 'utf8')).port}/?directConnection=true`;
  const uids = await seed(mongoUrl);
  const tokens = uids.map((uid) => jwt.sign({ typ: 'user', uid, tv: 0 }, SECRET, { expiresIn: 3600 }));
  const probes = await Promise.all(tokens.slice(0, 10).map((t) => connect(server.url, t)));
  await probeLatency(probes);
  await new Promise((r) => setTimeout(r, 1000));
  const baseRss = rssMb(server.process.pid!);
  printJson({ bench: 'connections', connections: 0, rssMb: Number(baseRss.toFixed(1)), ...(await heapMb()), ...(await afterGc(0)), note: 'server with 10 probe sockets, before the ramp' });
  await heapSnapshot('base');
  let stopReason = `reached --max ${args.max}`;
  while (sockets.length < args.max) {
    const target = Math.min(args.max, sockets.length + args.step);
    const started = performance.now();
    let failures = 0;
    while (sockets.length < target) {
      const batch = Math.min(200, target - sockets.length);
      const results = await Promise.allSettled(Array.from({ length: batch }, (_, i) => connect(server.url, tokens[(sockets.length + i) % tokens.length])));
      for (const r of results) {
        if (r.status === 'fulfilled') sockets.push(r.value);
        else failures++;
      }
      if (failures > 50) break;
    }
    const connectSeconds = (performance.now() - started) / 1000;
    await new Promise((r) => setTimeout(r, 1500));
    const rss = rssMb(server.process.pid!);
    const latencies = await probeLatency(probes);
    const p99 = percentile(latencies, 99);
    const line = {
      bench: 'connections',
      connections: sockets.length,
      rssMb: Number(rss.toFixed(1)),
      rssPerConnectionKb: Number((((rss - baseRss) * 1024) / sockets.length).toFixed(1)),
      connectPerSec: Math.round(args.step / connectSeconds),
      syncP50Ms: Number(percentile(latencies, 50).toFixed(1)),
      syncP99Ms: Number(p99.toFixed(1)),
      connectFailures: failures,
      ...(await heapMb()),
      ...(await afterGc(sockets.length)),
    };
    printJson(line);
    if (failures > 50) {
      stopReason = 'connection failures';
      break;
    }
    if (rss > args.rssLimitMb) {
      stopReason = `RSS over ${args.rssLimitMb} MB`;
      break;
    }
    if (p99 > args.p99LimitMs) {
      stopReason = `p99 over ${args.p99LimitMs} ms`;
      break;
    }
  }
  const rss = rssMb(server.process.pid!);
  printJson({
    bench: 'connections',
    summary: true,
    heldByOneProcess: sockets.length,
    stopReason,
    rssMb: Number(rss.toFixed(1)),
    baseRssMb: Number(baseRss.toFixed(1)),
    rssPerConnectionKb: Number((((rss - baseRss) * 1024) / Math.max(1, sockets.length)).toFixed(1)),
  });
  await heapSnapshot(`sockets-${sockets.length}`);
  for (const p of probes) p.close();
} finally {
  inspector?.close();
  for (const s of sockets) s.close();
  await server.stop();
}
process.exit(0);
