import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PidLockFile } from './PidLockFile';
import { readServerInfo } from './serverInfoFile';
import type { SupervisedProcessOptions, SupervisedProcessResult, SupervisedServer, SupervisedServerInfo } from './supervisedProcessTypes';

const here = path.dirname(fileURLToPath(import.meta.url));
/** A spawn lock older than this belongs to a stuck spawner and may be broken. */
const SPAWN_LOCK_MAX_AGE_MS = 60_000;
const DEFAULT_START_TIMEOUT_MS = 30_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function liveServer<I extends SupervisedServerInfo>(server: SupervisedServer, dir: string): Promise<I | null> {
  const info = readServerInfo<I>(dir);
  if (!info || !PidLockFile.isProcessAlive(info.pid)) return null;
  return (await server.ping(info.port, 1000)) ? info : null;
}

/**
 * Reuses the live `server` of `options.dir` or spawns one, detached so it outlives this
 * process and serves every process (all nodes) on the same data directory. Concurrent callers,
 * threads or processes, agree on one server through a spawn lock file; the spawned server announces
 * itself in server.json (serverInfoFile.ts) and must answer `ping`.
 */
export async function ensureSupervisedProcess<I extends SupervisedServerInfo>(
  server: SupervisedServer,
  options: SupervisedProcessOptions,
): Promise<SupervisedProcessResult<I>> {
  const { dir } = options;
  const { name } = server;
  fs.mkdirSync(dir, { recursive: true });
  const deadline = Date.now() + (options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS);
  const lock = new PidLockFile(path.join(dir, 'spawn.lock'), SPAWN_LOCK_MAX_AGE_MS);
  const logFile = path.join(dir, 'server.log');

  while (Date.now() < deadline) {
    const existing = await liveServer<I>(server, dir);
    if (existing) return { info: existing, started: false };
    if (!lock.tryAcquire()) {
      await sleep(100);
      continue;
    }
    try {
      // Another caller may have finished spawning between our check and the lock.
      const raced = await liveServer<I>(server, dir);
      if (raced) return { info: raced, started: false };
      options.beforeSpawn?.();
      const pid = spawnDetached(server, options, logFile);
      options.onSpawned?.(pid);
      while (Date.now() < deadline) {
        const info = readServerInfo<I>(dir);
        if (info && info.pid === pid && (await server.ping(info.port, 1000))) return { info, started: true };
        if (!PidLockFile.isProcessAlive(pid)) throw new Error(`${name} (pid ${pid}) exited during start; see ${logFile}`);
        await sleep(50);
      }
      throw new Error(`${name} did not answer within the start timeout; see ${logFile}`);
    } finally {
      lock.release();
    }
  }
  throw new Error(`timed out waiting for ${name} in ${dir}`);
}

function spawnDetached(server: SupervisedServer, options: SupervisedProcessOptions, logFile: string): number {
  const logFd = fs.openSync(logFile, 'a');
  try {
    // Compiled (build/server, `npm start`): the server's bundle sits next to this code. From source:
    // tsx, resolved from this package so the child does not depend on its working directory.
    const entry = import.meta.url.endsWith('.ts') ? ['--import', import.meta.resolve('tsx'), server.entry.source] : [path.join(here, server.entry.bundle)];
    const child = spawn(process.execPath, [...entry, server.dirOption, options.dir], {
      detached: true,
      stdio: ['ignore', logFd, logFd],
      cwd: path.resolve(here, '..', '..'),
      env: options.env ?? process.env,
    });
    child.unref();
    if (child.pid === undefined) throw new Error(`failed to spawn ${server.name}`);
    return child.pid;
  } finally {
    fs.closeSync(logFd);
  }
}
