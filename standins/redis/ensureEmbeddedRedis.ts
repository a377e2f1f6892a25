import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PidLockFile } from '../mongo/PidLockFile';
import type { EmbeddedRedisInfo } from './embeddedRedisTypes';
import { redisPing } from '../../signaling/broker/redisCommand';

const here = path.dirname(fileURLToPath(import.meta.url));
const SPAWN_LOCK_MAX_AGE_MS = 60_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface EnsureEmbeddedRedisOptions {
  dataDir: string;
  /** REDIS_IDLE_MS for a newly started server. */
  idleMs?: number;
  startTimeoutMs?: number;
  logger?: { info?: (obj: object, msg: string) => void; warn?: (obj: object, msg: string) => void };
}

/** The redis-server binary on PATH (Debian's `redis-server`), or null. */
export function findRedisServer(): string | null {
  if (process.env.COOKIM_REDIS_SERVER_BIN) return process.env.COOKIM_REDIS_SERVER_BIN;
  const found = spawnSync('sh', ['-c', 'command -v redis-server || ls /usr/bin/redis-server /usr/sbin/redis-server 2>/dev/null | head -1'], { encoding: 'utf8' });
  const bin = found.stdout.trim().split('\n')[0];
  return bin || null;
}

export function readEmbeddedRedisInfo(dir: string): EmbeddedRedisInfo | null {
  try {
    const info = JSON.parse(fs.readFileSync(path.join(dir, 'server.json'), 'utf8')) as EmbeddedRedisInfo;
    return Number.isInteger(info.port) && Number.isInteger(info.pid) ? info : null;
  } catch {
    return null;
  }
}

async function liveServer(dir: string): Promise<EmbeddedRedisInfo | null> {
  const info = readEmbeddedRedisInfo(dir);
  if (!info || !PidLockFile.isProcessAlive(info.pid)) return null;
  return (await redisPing(info.port, 1000)) ? info : null;
}

/** A redis-server left behind by a supervisor that was killed outright: stop it before starting anew. */
function stopOrphan(dir: string): void {
  const info = readEmbeddedRedisInfo(dir);
  if (!info || PidLockFile.isProcessAlive(info.pid) || !PidLockFile.isProcessAlive(info.redisPid)) return;
  try {
    const cmdline = fs.readFileSync(`/proc/${info.redisPid}/cmdline`, 'utf8');
    if (cmdline.includes('redis-server') && cmdline.includes(String(info.port))) process.kill(info.redisPid, 'SIGTERM');
  } catch {
    // Not ours, or already gone.
  }
}

/**
 * The URL of the embedded Redis of `<dataDir>/redis/`: a live one is reused, else a detached
 * supervisor (embeddedRedisMain.ts) is spawned that runs redis-server on a free loopback port.
 * Concurrent callers (all processes of all nodes on this DATA_DIR) agree on one through a spawn
 * lock, exactly as the development database does. Throws when redis-server is not installed.
 */
export async function ensureEmbeddedRedis(options: EnsureEmbeddedRedisOptions): Promise<{ url: string; port: number; started: boolean }> {
  const bin = findRedisServer();
  if (!bin) throw new Error('redis-server is not installed (Debian package redis-server)');
  const dir = path.join(path.resolve(options.dataDir), 'redis');
  fs.mkdirSync(dir, { recursive: true });
  const deadline = Date.now() + (options.startTimeoutMs ?? 20_000);
  const lock = new PidLockFile(path.join(dir, 'spawn.lock'), SPAWN_LOCK_MAX_AGE_MS);
  while (Date.now() < deadline) {
    const existing = await liveServer(dir);
    if (existing) return { url: existing.url, port: existing.port, started: false };
    if (!lock.tryAcquire()) {
      await sleep(100);
      continue;
    }
    try {
      const raced = await liveServer(dir);
      if (raced) return { url: raced.url, port: raced.port, started: false };
      stopOrphan(dir);
      const pid = spawnSupervisor(dir, bin, options.idleMs);
      options.logger?.info?.({ pid, dir }, 'spawned the embedded Redis (fan-out between the nodes on this DATA_DIR)');
      while (Date.now() < deadline) {
        const info = readEmbeddedRedisInfo(dir);
        if (info && info.pid === pid && (await redisPing(info.port, 1000))) return { url: info.url, port: info.port, started: true };
        if (!PidLockFile.isProcessAlive(pid)) throw new Error(`the embedded Redis exited during start; see ${path.join(dir, 'server.log')}`);
        await sleep(50);
      }
      throw new Error(`the embedded Redis did not answer in time; see ${path.join(dir, 'server.log')}`);
    } finally {
      lock.release();
    }
  }
  throw new Error(`timed out waiting for the embedded Redis in ${dir}`);
}

function spawnSupervisor(dir: string, bin: string, idleMs?: number): number {
  const logFd = fs.openSync(path.join(dir, 'server.log'), 'a');
  try {
    // Compiled (build/server, `npm start`): the supervisor's bundle sits next to this one; from source: tsx.
    const entry = import.meta.url.endsWith('.ts') ? ['--import', import.meta.resolve('tsx'), path.join(here, 'embeddedRedisMain.ts')] : [path.join(here, 'embeddedRedisMain.js')];
    const child = spawn(process.execPath, [...entry, '--dir', dir], {
      detached: true,
      stdio: ['ignore', logFd, logFd],
      cwd: path.resolve(here, '..', '..'),
      env: { ...process.env, COOKIM_REDIS_SERVER_BIN: bin, ...(idleMs !== undefined ? { REDIS_IDLE_MS: String(idleMs) } : {}) },
    });
    child.unref();
    if (child.pid === undefined) throw new Error('failed to spawn the embedded Redis');
    return child.pid;
  } finally {
    fs.closeSync(logFd);
  }
}
