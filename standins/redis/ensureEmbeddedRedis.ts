import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PidLockFile } from '../supervisor/PidLockFile';
import { ensureSupervisedProcess } from '../supervisor/ensureSupervisedProcess';
import { readServerInfo } from '../supervisor/serverInfoFile';
import type { SupervisedServer } from '../supervisor/supervisedProcessTypes';
import type { EmbeddedRedisInfo } from './embeddedRedisTypes';
import { redisPing } from './redisCommand';

const here = path.dirname(fileURLToPath(import.meta.url));

const EMBEDDED_REDIS: SupervisedServer = {
  name: 'the embedded Redis',
  ping: redisPing,
  entry: { source: path.join(here, 'embeddedRedisMain.ts'), bundle: 'embeddedRedisMain.js' },
  dirOption: '--dir',
};

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
  return readServerInfo<EmbeddedRedisInfo>(dir);
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
 * Concurrent callers (all processes of all nodes on this DATA_DIR) agree on one, exactly as for the
 * development database (standins/supervisor). Throws when redis-server is not installed.
 */
export async function ensureEmbeddedRedis(options: EnsureEmbeddedRedisOptions): Promise<{ url: string; port: number; started: boolean }> {
  const bin = findRedisServer();
  if (!bin) throw new Error('redis-server is not installed (Debian package redis-server)');
  const dir = path.join(path.resolve(options.dataDir), 'redis');
  const idleEnv = options.idleMs !== undefined ? { REDIS_IDLE_MS: String(options.idleMs) } : {};
  const { info, started } = await ensureSupervisedProcess<EmbeddedRedisInfo>(EMBEDDED_REDIS, {
    dir,
    startTimeoutMs: options.startTimeoutMs ?? 20_000,
    env: { ...process.env, COOKIM_REDIS_SERVER_BIN: bin, ...idleEnv },
    beforeSpawn: () => stopOrphan(dir),
    onSpawned: (pid) => options.logger?.info?.({ pid, dir }, 'spawned the embedded Redis (fan-out between the nodes on this DATA_DIR)'),
  });
  return { url: info.url, port: info.port, started };
}
