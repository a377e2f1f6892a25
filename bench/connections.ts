/**
 * `npm run bench -- connections [--max 10000] [--step 1000] [--users 200] [--rssLimitMb 4096] [--p99LimitMs 1000]`
 *
 * How many idle connected clients one serving process (WORKERS=1) holds: websocket clients are
 * added in steps (authenticated, joined to their rooms, online records written and kept alive like
 * any client) until `--max`, a memory limit, a latency limit (p99 of `sync` round trips on probe
 * sockets) or connection failures. After each step it prints one JSON line: connections, the
 * server's RSS, RSS per connection over the empty server, and the probe latency.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import jwt from 'jsonwebtoken';
import { io, type Socket } from 'socket.io-client';
import { startServer } from '../test/support/server';
import { numberArgs, percentile, printJson } from './lib/args';
import { seedUsersInRooms } from './lib/seed';

const args = numberArgs({ max: 10_000, step: 1000, users: 200, rssLimitMb: 4096, p99LimitMs: 1000 });
const SECRET = 'bench-secret';
const DB = 'cookim_bench_connections';

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
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

const server = await startServer({ workers: 1, env: { JWT_SECRET: SECRET, MONGO_DB: DB, MEDIA_WORKERS: '1', REDIS_IDLE_MS: '5000', DEVMONGO_IDLE_MS: '5000' } });
const sockets: Socket[] = [];
try {
  const mongoUrl = process.env.MONGO_URL ?? `mongodb://127.0.0.1:${JSON.parse(readFileSync(path.join(server.dataDir, 'devmongo', 'server.json'), 'utf8')).port}/?directConnection=true`;
  const uids = await seed(mongoUrl);
  const tokens = uids.map((uid) => jwt.sign({ typ: 'user', uid, tv: 0 }, SECRET, { expiresIn: 3600 }));
  const probes = await Promise.all(tokens.slice(0, 10).map((t) => connect(server.url, t)));
  await probeLatency(probes);
  await new Promise((r) => setTimeout(r, 1000));
  const baseRss = rssMb(server.process.pid!);
  printJson({ bench: 'connections', connections: 0, rssMb: Number(baseRss.toFixed(1)), note: 'server with 10 probe sockets, before the ramp' });
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
  for (const p of probes) p.close();
} finally {
  for (const s of sockets) s.close();
  await server.stop();
}
process.exit(0);
