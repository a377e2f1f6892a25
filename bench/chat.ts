/**
 * `npm run bench -- chat [--clients 1000] [--room 20] [--rate 1] [--duration 10] [--warmup 3] [--workers 1] [--nodes 1]`
 *
 * With `--nodes 2`, the same load also runs against two nodes on one DATA_DIR (one database, the
 * embedded Redis), clients alternating between the nodes' URLs so every room spans both nodes and
 * every message crosses Redis; the two-node figures print next to the one-node ones from the same run.
 *
 * Drives the full product path (auth, membership, storage, fan-out) and a bare Socket.IO broadcast
 * server with the same clients in the same run, and prints one JSON line per target plus the ratio.
 * Users and groups are created directly in the database (bench/lib/seed.ts).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import jwt from 'jsonwebtoken';
import { startServer } from '../test/support/server';
import { numberArgs, printJson } from './lib/args';
import { runLoad, type LoadClient } from './lib/loadClients';
import { seedUsersInRooms } from './lib/seed';

const args = numberArgs({ clients: 1000, room: 20, rate: 1, duration: 10, warmup: 3, workers: 1, nodes: 1 });
const SECRET = 'bench-secret';

async function benchCookim(nodes = 1): Promise<Record<string, unknown>> {
  const dbName = `cookim_bench_${nodes}n_${Date.now().toString(36)}`;
  const env = { JWT_SECRET: SECRET, MESSAGE_RATE: '1000', MONGO_DB: dbName, REDIS_IDLE_MS: '5000', DEVMONGO_IDLE_MS: '5000' };
  const server = await startServer({ workers: args.workers, env });
  const extra = [];
  try {
    // Further nodes on the same DATA_DIR: the next free ports, the same database and embedded Redis.
    for (let i = 1; i < nodes; i++) extra.push(await startServer({ workers: args.workers, env, dataDir: server.dataDir, port: server.port }));
    const urls = [server.url, ...extra.map((n) => n.url)];
    const mongoUrl = process.env.MONGO_URL ?? `mongodb://127.0.0.1:${JSON.parse(readFileSync(path.join(server.dataDir, 'devmongo', 'server.json'), 'utf8')).port}/?directConnection=true`;
    const members = await seedUsersInRooms(mongoUrl, dbName, args.clients, args.room, 'bench');
    const specs: LoadClient[] = members.map(({ uid, sessionid }, i) => {
      const sessionToken = jwt.sign({ typ: 'session', uid, tv: 0, sessionid }, SECRET, { expiresIn: 3600 });
      return {
        url: urls[i % urls.length],
        auth: { token: jwt.sign({ typ: 'user', uid, tv: 0 }, SECRET, { expiresIn: 3600 }) },
        payload: (text, seq) => ({ sessionToken, msgtype: 0, msg: text, uuid: `${uid}-${seq}` }),
      };
    });
    return {
      target: nodes > 1 ? `cookim-${nodes}-nodes` : 'cookim',
      nodes,
      workers: args.workers,
      db: process.env.MONGO_URL ? 'mongodb' : 'devmongo',
      ...(nodes > 1 ? { fanout: 'redis-streams' } : {}),
      ...(await runLoad(specs, args.rate, args.warmup, args.duration)),
    };
  } finally {
    await Promise.all(extra.map((n) => n.stop()));
    await server.stop();
  }
}

async function benchBare(): Promise<Record<string, unknown>> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'lib', 'bareServer.ts')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve) => createInterface({ input: child.stdout! }).once('line', (l) => resolve(JSON.parse(l).port)));
  try {
    const specs: LoadClient[] = Array.from({ length: args.clients }, (_, i) => ({
      url: `http://127.0.0.1:${port}`,
      auth: { room: `room-${Math.floor(i / args.room)}` },
      payload: (text) => ({ msg: text }),
    }));
    return { target: 'bare-socket.io', workers: 1, ...(await runLoad(specs, args.rate, args.warmup, args.duration)) };
  } finally {
    child.kill('SIGTERM');
  }
}

const common = { bench: 'chat', clients: args.clients, room: args.room, ratePerClient: args.rate, durationS: args.duration };
const ours = await benchCookim();
printJson({ ...common, ...ours });
if (args.nodes > 1) {
  const multi = await benchCookim(args.nodes);
  printJson({ ...common, ...multi });
  printJson({
    ...common,
    target: 'nodes-ratio',
    nodes: args.nodes,
    throughputRatio: Number(((multi.deliveredPerSec as number) / (ours.deliveredPerSec as number)).toFixed(3)),
    p99Ms: multi.p99Ms,
    oneNodeP99Ms: ours.p99Ms,
  });
}
const bare = await benchBare();
printJson({ ...common, ...bare });
printJson({
  ...common,
  target: 'ratio',
  throughputRatio: Number(((ours.deliveredPerSec as number) / (bare.deliveredPerSec as number)).toFixed(3)),
  p99Ms: ours.p99Ms,
  bareP99Ms: bare.p99Ms,
});
process.exit(0);
