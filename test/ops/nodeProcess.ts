/**
 * Starts a CookIM node the way `npm start` does (the compiled build/server/main.js with source
 * maps) or from source through tsx (as the test kit and earlier `npm start` did), on a fixed port,
 * and inspects its process tree through /proc. Used by test/ops and bench/startup.ts.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { freePort } from '../support/server';

export const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
export type StartMode = 'compiled' | 'tsx';

/** Builds build/server when stale (scripts/build-server.mjs, as `npm start` does). */
export function buildServer(): void {
  const res = spawnSync(process.execPath, [path.join(root, 'scripts', 'build-server.mjs')], { cwd: root, encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`server build failed: ${res.stderr || res.stdout}`);
}

/** The node command line of each mode (compiled: the same as scripts/start.mjs). */
export function nodeArgs(mode: StartMode): string[] {
  return mode === 'compiled' ? ['--enable-source-maps', path.join(root, 'build', 'server', 'main.js')] : ['--import', 'tsx', 'signaling/main.ts'];
}

export interface NodeProcess {
  child: ChildProcess;
  url: string;
  port: number;
  /** Everything the node wrote to stdout and stderr so far. */
  output(): string;
  /** SIGTERM, then SIGKILL after graceMs. */
  stop(graceMs?: number): Promise<void>;
}

export async function spawnNode(options: { mode: StartMode; dataDir: string; workers: number; port?: number; env?: Record<string, string> }): Promise<NodeProcess> {
  const port = options.port ?? (await freePort());
  // A clean environment as a shell's `npm start` has: no loader inherited through NODE_OPTIONS.
  const { NODE_OPTIONS: _ignored, ...env } = process.env;
  const child = spawn(process.execPath, nodeArgs(options.mode), {
    cwd: root,
    env: {
      ...env,
      PORT: String(port),
      PORT_SEARCH: '1',
      HOST: '127.0.0.1',
      DATA_DIR: options.dataDir,
      WORKERS: String(options.workers),
      LOG_LEVEL: 'info',
      MONGO_DB: 'cookim',
      COOKIM_SKIP_MEMORY_SERVER: '1',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    port,
    url: `http://127.0.0.1:${port}`,
    output: () => output,
    async stop(graceMs = 20_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Resolves when GET /healthz answers 200 (polled every 10 ms), rejects after timeoutMs. */
export async function waitHealthy(url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`${url}/healthz not 200 within ${timeoutMs} ms`);
}

/** The process ids whose parent is `pid`, recursively (from /proc/<pid>/stat). */
export function descendants(pid: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The command name (field 2) may hold spaces; the parent id follows its closing parenthesis.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
    } catch {
      /* exited meanwhile */
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const c of parents.get(p) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(pid);
  return out;
}

export function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

/** Resident set size of a process in MB. */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

/** The cluster workers of a node: its children that run the node's own entry point. */
export function workerPids(primary: number, mode: StartMode): number[] {
  const entry = mode === 'compiled' ? 'build/server/main.js' : 'signaling/main.ts';
  return descendants(primary).filter((pid) => cmdline(pid).includes(entry));
}
