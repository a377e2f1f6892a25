/**
 * `npm run bench -- connections [--max 10000] [--step 1000] [--users 200] [--rssLimitMb 4096] [--p99LimitMs 1000]
 *    [--realistic 1] [--storm 1] [--afterGc 1] [--heapSnapshots 1]`
 *
 * How many idle connected clients one serving process (WORKERS=1) holds: websocket clients are
 * added in steps (authenticated, joined to their rooms, online records written and kept alive like
 * any client) until `--max`, a memory limit, a latency limit (p99 of `sync` round trips on probe
 * sockets) or connection failures. After each step it prints one JSON line: connections, the
 * server's RSS, RSS per connection over the empty server, and the probe latency.
 *
 * By default the sockets belong to `--users` users (200: about 50 sockets each, so every connect
 * announces presence to about 1,000 sockets). `--realistic 1`: one socket per user (rooms of 20).
 * `--storm 1`: after the ramp the server process is killed and started again on the same data dir
 * and port; the clients reconnect by themselves (socket.io-client's default backoff, as the web
 * client) and send `sync` on reconnect; prints how long until every one has its `sync` answered.
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

const args = numberArgs({ max: 10_000, step: 1000, users: 200, rssLimitMb: 4096, p99LimitMs: 1000, heapSnapshots: 0, afterGc: 0, realistic: 0, storm: 0 });
// One user per socket (and per probe): presence fans out to a room of 20, not to ~1,000 sockets.
if (args.realistic) args.users = args.max + 10;
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

function connect(url: string, token: string, reconnection = false): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = io(url, { auth: { token }, transports: ['websocket'], reconnection, forceNew: true, timeout: 20_000 });
    const fail = (err: Error) => {
      s.close();
      reject(err);
    };
    s.once('connect', () => {
      // Later connect errors belong to reconnection attempts (--storm), which go on by themselves.
      s.off('connect_error', fail);
      resolve(s);
    });
    s.once('connect_error', fail);
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

// The default mode gives each user ~50 sockets and probes sync in bursts: lift the per-user socket
// and sync bounds, which would otherwise refuse most of the load.
const serverEnv = {
  JWT_SECRET: SECRET,
  MONGO_DB: DB,
  MEDIA_WORKERS: '1',
  REDIS_IDLE_MS: '5000',
  DEVMONGO_IDLE_MS: '5000',
  MAX_SOCKETS_PER_USER: '1000000',
  SYNC_RATE: '1000',
};
let server = await startServer({ workers: 1, env: serverEnv });
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
/**
 * Kills the server, starts it again on the same data dir and port, and waits until every ramp
 * socket has reconnected by itself and had a `sync` answered.
 */
async function reconnectStorm(): Promise<void> {
  const total = sockets.length;
  let synced = 0;
  let syncFailures = 0;
  let restarted = false;
  let allDone!: () => void;
  const done = new Promise<void>((resolve) => (allDone = resolve));
  for (const s of sockets) {
    s.on('connect', () => {
      if (!restarted) return;
      s.timeout(60_000)
        .emitWithAck('sync', { cursors: {} })
        .then(
          () => synced++,
          () => syncFailures++,
        )
        .finally(() => synced + syncFailures === total && allDone());
    });
  }
  const killedAt = performance.now();
  process.stderr.write('storm: killing the server\n');
  await server.kill();
  process.stderr.write('storm: restarting the server\n');
  restarted = true;
  server = await startServer({ workers: 1, dataDir: server.dataDir, port: server.port, env: serverEnv });
  const listeningAt = performance.now();
  const timeout = setTimeout(allDone, 600_000);
  const progress = setInterval(() => process.stderr.write(`storm: ${synced} synced, ${syncFailures} failed, ${sockets.filter((x) => x.connected).length} connected of ${total}\n`), 5000);
  await done;
  clearTimeout(timeout);
  clearInterval(progress);
  const finishedAt = performance.now();
  printJson({
    bench: 'connections',
    storm: true,
    users: args.realistic ? total : args.users,
    sockets: total,
    synced,
    syncFailures,
    notBack: total - synced - syncFailures,
    restartToListeningMs: Math.round(listeningAt - killedAt),
    listeningToAllSyncedMs: Math.round(finishedAt - listeningAt),
    killToAllSyncedMs: Math.round(finishedAt - killedAt),
    rssMb: Number(rssMb(server.process.pid!).toFixed(1)),
  });
}

try {
  const mongoUrl = process.env.MONGO_URL ?? `mongodb://127.0.0.1:${JSON.parse(readFileSync(path.join(server.dataDir, 'devmongo', 'server.json'), 'utf8')).port}/?directConnection=true`;
  const uids = await seed(mongoUrl);
  const tokens = uids.map((uid) => jwt.sign({ typ: 'user', uid, tv: 0 }, SECRET, { expiresIn: 3600 }));
  const probes = await Promise.all(tokens.slice(-10).map((t) => connect(server.url, t)));
  await probeLatency(probes);
  await new Promise((r) => setTimeout(r, 1000));
  const baseRss = rssMb(server.process.pid!);
  printJson({ bench: 'connections', connections: 0, rssMb: Number(baseRss.toFixed(1)), ...(await heapMb()), ...(await afterGc(0)), note: 'server with 10 probe sockets, before the ramp' });
  await heapSnapshot('base');
  let stopReason = `reached --max ${args.max}`;
  let lastRss = baseRss;
  while (sockets.length < args.max) {
    const target = Math.min(args.max, sockets.length + args.step);
    const started = performance.now();
    const before = sockets.length;
    let failures = 0;
    while (sockets.length < target) {
      const batch = Math.min(200, target - sockets.length);
      const results = await Promise.allSettled(Array.from({ length: batch }, (_, i) => connect(server.url, tokens[(sockets.length + i) % tokens.length], args.storm > 0)));
      for (const r of results) {
        if (r.status === 'fulfilled') sockets.push(r.value);
        else failures++;
      }
      if (failures > 50) break;
    }
    const connectSeconds = (performance.now() - started) / 1000;
    await new Promise((r) => setTimeout(r, 1500));
    const rss = rssMb(server.process.pid!);
    lastRss = rss;
    const latencies = await probeLatency(probes);
    const p99 = percentile(latencies, 99);
    const line = {
      bench: 'connections',
      connections: sockets.length,
      rssMb: Number(rss.toFixed(1)),
      rssPerConnectionKb: Number((((rss - baseRss) * 1024) / sockets.length).toFixed(1)),
      connectPerSec: Math.round((sockets.length - before) / connectSeconds),
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
  const rss = lastRss;
  printJson({
    bench: 'connections',
    summary: true,
    mode: args.realistic ? 'one socket per user' : `${args.users} users`,
    heldByOneProcess: sockets.length,
    stopReason,
    rssMb: Number(rss.toFixed(1)),
    baseRssMb: Number(baseRss.toFixed(1)),
    rssPerConnectionKb: Number((((rss - baseRss) * 1024) / Math.max(1, sockets.length)).toFixed(1)),
  });
  await heapSnapshot(`sockets-${sockets.length}`);
  for (const p of probes) p.close();
  if (args.storm) await reconnectStorm();
} finally {
  inspector?.close();
  for (const s of sockets) s.close();
  await server.stop();
}
process.exit(0);
