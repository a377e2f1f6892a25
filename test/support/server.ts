/**
 * Starts the real product (`signaling/main.ts`) as a child process on a free port with its own data
 * directory, and stops it. With MONGO_URL set the tests run against that MongoDB (each server in a
 * database of its own); without it, the product's own database resolution applies.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';

export interface StartServerOptions {
  dataDir?: string;
  workers?: number;
  env?: Record<string, string>;
  port?: number;
}

export interface RunningServer {
  url: string;
  port: number;
  dataDir: string;
  process: ChildProcess;
  /** The server's `listening` log entry (port, workers, database and fan-out kinds). */
  listening: Record<string, unknown>;
  /** SIGTERM and wait (graceful shutdown); SIGKILL after a timeout. */
  stop(): Promise<void>;
  /** SIGKILL at once (crash). */
  kill(): Promise<void>;
}

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const testDbs = new Map<string, string>();

/** A loopback port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

export function freshDataDir(label = 'cookim'): string {
  return mkdtempSync(path.join(tmpdir(), `${label}-`));
}

export async function startServer(options: StartServerOptions = {}): Promise<RunningServer> {
  const dataDir = options.dataDir ?? freshDataDir();
  // Same data dir, same database: a restarted server sees its earlier data.
  const mongoDb = testDbs.get(dataDir) ?? `cookim_test_${randomBytes(4).toString('hex')}`;
  testDbs.set(dataDir, mongoDb);
  // COOKIM_NODE_ARGS: extra Node flags for the server (e.g. --cpu-prof when profiling a benchmark).
  const nodeArgs = process.env.COOKIM_NODE_ARGS ? process.env.COOKIM_NODE_ARGS.split(' ') : [];
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'signaling/main.ts'], {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(options.port ?? 0),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      WORKERS: String(options.workers ?? 1),
      LOG_LEVEL: 'info',
      MONGO_DB: process.env.MONGO_URL ? mongoDb : 'cookim',
      COOKIM_SKIP_MEMORY_SERVER: '1',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = createWriteStream(path.join(dataDir, `server-${child.pid}.log`), { flags: 'a' });
  child.stderr!.pipe(log);
  const listening = await new Promise<Record<string, unknown> & { port: number }>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start in 60 s (log: ${dataDir})`));
    }, 60_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening (log: ${dataDir})`));
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      log.write(`${line}\n`);
      try {
        const entry = JSON.parse(line) as Record<string, unknown> & { msg?: string; port?: number };
        if (entry.msg === 'listening' && entry.port) {
          clearTimeout(timer);
          resolve(entry as Record<string, unknown> & { port: number });
        }
      } catch {
        /* not a log line */
      }
    });
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stopWith = async (signal: NodeJS.Signals, graceMs: number) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };
  const { port } = listening;
  return {
    listening,
    url: `http://127.0.0.1:${port}`,
    port,
    dataDir,
    process: child,
    stop: () => stopWith('SIGTERM', 20_000),
    kill: () => stopWith('SIGKILL', 5_000),
  };
}
