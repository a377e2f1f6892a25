/**
 * The supervisor of a node's embedded Redis (spawned detached by ensureEmbeddedRedis, shared by
 * every node started on the same DATA_DIR). Usage:
 *   node --import tsx standins/redis/embeddedRedisMain.ts --dir <DATA_DIR/redis> [--port N]
 * Runs Debian's `redis-server` on 127.0.0.1 (no persistence: the stream only carries fan-out),
 * writes <dir>/server.json, starts redis-server again if it dies, and, since Redis has no idle
 * exit of its own, stops it and exits once no client has been connected for REDIS_IDLE_MS
 * (default 60000; 0 keeps it running). SIGTERM/SIGINT stop it at once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import pino from 'pino';
import { parseServerCommandLine } from '../supervisor/serverCommandLine';
import { removeOwnServerInfo, writeServerInfo } from '../supervisor/serverInfoFile';
import type { EmbeddedRedisInfo } from './embeddedRedisTypes';
import { redisConnectedClients, redisPing } from './redisCommand';

const commandLine = parseServerCommandLine('--dir', 'embeddedRedisMain.ts');
const dir = commandLine.dir;
const bin = process.env.COOKIM_REDIS_SERVER_BIN || 'redis-server';
const idleMs = Number(process.env.REDIS_IDLE_MS ?? 60_000);
const logger = pino({ name: 'embedded-redis', level: process.env.LOG_LEVEL ?? 'info' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let child: ChildProcess | null = null;
let stopping = false;
let port = commandLine.port;
const restarts: number[] = [];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const p = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(p));
    });
  });
}

async function startRedis(): Promise<ChildProcess> {
  const log = fs.openSync(path.join(dir, 'redis.log'), 'a');
  const proc = spawn(
    bin,
    ['--port', String(port), '--bind', '127.0.0.1', '--protected-mode', 'yes', '--dir', dir, '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--loglevel', 'warning'],
    { stdio: ['ignore', log, log] },
  );
  fs.closeSync(log);
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  proc.once('error', (err) => logger.error({ err }, 'redis-server could not be started'));
  for (let i = 0; i < 100; i++) {
    if (await redisPing(port, 500)) return proc;
    if (proc.exitCode !== null || proc.signalCode !== null) break;
    await Promise.race([sleep(50), exited]);
  }
  proc.kill('SIGKILL');
  throw new Error(`redis-server did not answer on 127.0.0.1:${port}; see ${path.join(dir, 'redis.log')}`);
}

function writeInfo(redisPid: number): void {
  const info: EmbeddedRedisInfo = { port, pid: process.pid, redisPid, url: `redis://127.0.0.1:${port}`, startedAt: new Date().toISOString() };
  writeServerInfo(dir, info);
}

function watch(proc: ChildProcess): void {
  proc.once('exit', (code, signal) => {
    if (stopping) return;
    // Someone stopped redis-server (or it crashed): start it again on the same port.
    const now = Date.now();
    restarts.push(now);
    while (restarts.length && restarts[0] < now - 60_000) restarts.shift();
    if (restarts.length > 10) return void shutdown('redis-server keeps dying', 1);
    logger.warn({ code, signal }, 'redis-server exited; starting it again');
    void sleep(200)
      .then(startRedis)
      .then((next) => {
        child = next;
        writeInfo(next.pid!);
        watch(next);
      })
      .catch((err) => {
        logger.error({ err }, 'restarting redis-server failed');
        void shutdown('restart failed', 1);
      });
  });
}

async function shutdown(reason: string, code = 0): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ reason }, 'embedded redis shutting down');
  const proc = child;
  if (proc && proc.exitCode === null && proc.signalCode === null) {
    const gone = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill('SIGTERM');
    await Promise.race([gone, sleep(5000)]);
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  }
  removeOwnServerInfo(dir);
  process.exit(code);
}

process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGHUP', () => undefined);

try {
  if (!port) port = await freePort();
  child = await startRedis();
  writeInfo(child.pid!);
  watch(child);
  logger.info({ port, redisPid: child.pid, idleMs }, 'embedded redis started');
} catch (err) {
  logger.error({ err }, 'embedded redis failed to start');
  process.exit(1);
}

if (idleMs > 0) {
  let idleSince: number | null = null;
  setInterval(
    () => {
      if (stopping) return;
      redisConnectedClients(port, 2000)
        .then((clients) => {
          // The asking connection is the one client when nobody else is there.
          if (clients > 1) idleSince = null;
          else if (idleSince === null) idleSince = Date.now();
          else if (Date.now() - idleSince >= idleMs) void shutdown('idle');
        })
        .catch(() => undefined);
    },
    Math.max(200, Math.min(5000, idleMs / 4)),
  );
}
