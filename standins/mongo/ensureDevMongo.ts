import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PidLockFile } from './PidLockFile';
import { pingDevMongo } from './pingDevMongo';
import type { DevMongoServerInfo, EnsureDevMongoOptions, EnsureDevMongoResult } from './DevMongoServerTypes';

const here = path.dirname(fileURLToPath(import.meta.url));
/** A spawn lock older than this belongs to a stuck spawner and may be broken. */
const SPAWN_LOCK_MAX_AGE_MS = 60_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function urlFor(port: number): string {
  return `mongodb://127.0.0.1:${port}/?directConnection=true`;
}

function readInfo(dir: string): DevMongoServerInfo | null {
  try {
    const info = JSON.parse(fs.readFileSync(path.join(dir, 'server.json'), 'utf8')) as DevMongoServerInfo;
    return Number.isInteger(info.port) && Number.isInteger(info.pid) ? info : null;
  } catch {
    return null;
  }
}

async function liveServer(dir: string): Promise<DevMongoServerInfo | null> {
  const info = readInfo(dir);
  if (!info || !PidLockFile.isProcessAlive(info.pid)) return null;
  return (await pingDevMongo(info.port, 1000)) ? info : null;
}

/**
 * Returns the URL of the development MongoDB server for `<dataDir>/devmongo/`, reusing a live one
 * or spawning a detached `main.ts` process. Concurrent callers (threads or processes) agree on one
 * server through a spawn lock file.
 */
export async function ensureDevMongo(options: EnsureDevMongoOptions): Promise<EnsureDevMongoResult> {
  const dir = path.join(path.resolve(options.dataDir), 'devmongo');
  fs.mkdirSync(dir, { recursive: true });
  const logger = options.logger ?? {};
  const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
  const lock = new PidLockFile(path.join(dir, 'spawn.lock'), SPAWN_LOCK_MAX_AGE_MS);

  while (Date.now() < deadline) {
    const existing = await liveServer(dir);
    if (existing) return { url: urlFor(existing.port), started: false };
    if (!lock.tryAcquire()) {
      await sleep(100);
      continue;
    }
    try {
      // Another caller may have finished spawning between our check and the lock.
      const raced = await liveServer(dir);
      if (raced) return { url: urlFor(raced.port), started: false };
      const pid = spawnServer(dir);
      logger.info?.({ pid, dir }, 'spawned the MongoDB wire-protocol development server (development stand-in, not for production)');
      while (Date.now() < deadline) {
        const info = readInfo(dir);
        if (info && info.pid === pid && (await pingDevMongo(info.port, 1000))) return { url: urlFor(info.port), started: true };
        if (!PidLockFile.isProcessAlive(pid)) {
          throw new Error(`devmongo server process ${pid} exited during start; see ${path.join(dir, 'server.log')}`);
        }
        await sleep(50);
      }
      throw new Error(`devmongo server did not answer within the start timeout; see ${path.join(dir, 'server.log')}`);
    } finally {
      lock.release();
    }
  }
  throw new Error(`timed out waiting for the devmongo server in ${dir}`);
}

function spawnServer(dir: string): number {
  const logFd = fs.openSync(path.join(dir, 'server.log'), 'a');
  try {
    // Compiled (build/server, `npm start`): the server's bundle sits next to this one. From source:
    // tsx, resolved from this package so the child does not depend on its working directory.
    const entry = import.meta.url.endsWith('.ts') ? ['--import', import.meta.resolve('tsx'), path.join(here, 'main.ts')] : [path.join(here, 'devmongoMain.js')];
    const child = spawn(process.execPath, [...entry, '--data-dir', dir], {
      detached: true,
      stdio: ['ignore', logFd, logFd],
      cwd: path.resolve(here, '..', '..'),
      env: process.env,
    });
    child.unref();
    if (child.pid === undefined) throw new Error('failed to spawn the devmongo server');
    return child.pid;
  } finally {
    fs.closeSync(logFd);
  }
}
