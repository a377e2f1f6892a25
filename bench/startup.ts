/**
 * `npm run bench -- startup [--runs 3] [--workers 2]`
 *
 * Cold start of a node and the memory of its processes, started through tsx (TypeScript compiled
 * in each process at start, as `npm start` did before) and compiled (build/server, as `npm start`
 * does now). Each run starts a node on a fresh DATA_DIR (so it also spawns its embedded Redis and
 * devmongo server) and measures the time from spawn to the first 200 from GET /healthz, then the
 * RSS of the primary and of each cluster worker 2 s later. The modes alternate run by run. Prints
 * one JSON line per run and one summary line per mode with the medians.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { performance } from 'node:perf_hooks';
import { freshDataDir } from '../test/support/server';
import { buildServer, descendants, rssMb, spawnNode, waitHealthy, workerPids, type StartMode } from '../test/ops/nodeProcess';
import { numberArgs, printJson } from './lib/args';

const args = numberArgs({ runs: 3, workers: 2 });
const modes: StartMode[] = ['tsx', 'compiled'];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const round = (n: number) => Number(n.toFixed(1));

buildServer();
const results = new Map<StartMode, { startMs: number[]; workerRssMb: number[]; primaryRssMb: number[] }>(modes.map((m) => [m, { startMs: [], workerRssMb: [], primaryRssMb: [] }]));
for (let run = 1; run <= args.runs; run++) {
  for (const mode of modes) {
    const started = performance.now();
    const node = await spawnNode({ mode, dataDir: freshDataDir('cookim-startup'), workers: args.workers, env: { LOG_LEVEL: 'warn' } });
    const primary = node.child.pid!;
    let helpers: number[] = [];
    try {
      await waitHealthy(node.url, 120_000).catch((err) => {
        throw new Error(`${mode}: ${(err as Error).message}\n${node.output().slice(-3000)}`);
      });
      const startMs = performance.now() - started;
      await sleep(2000);
      const workers = workerPids(primary, mode);
      const workerRss = workers.map(rssMb);
      const primaryRss = rssMb(primary);
      helpers = descendants(primary).filter((pid) => !workers.includes(pid));
      const r = results.get(mode)!;
      r.startMs.push(startMs);
      r.workerRssMb.push(...workerRss);
      r.primaryRssMb.push(primaryRss);
      printJson({ bench: 'startup', mode, run, workers: workers.length, healthyMs: Math.round(startMs), primaryRssMb: round(primaryRss), workerRssMb: workerRss.map(round) });
    } finally {
      await node.stop();
      // The embedded Redis and devmongo server of the fresh DATA_DIR would idle out; end them now.
      for (const pid of helpers) {
        try {
          process.kill(pid, 'SIGTERM');
        } catch {
          /* already gone */
        }
      }
      await sleep(1000);
    }
  }
}
for (const mode of modes) {
  const r = results.get(mode)!;
  printJson({
    bench: 'startup',
    summary: true,
    mode,
    runs: r.startMs.length,
    workers: args.workers,
    medianHealthyMs: Math.round(median(r.startMs)),
    medianWorkerRssMb: round(median(r.workerRssMb)),
    medianPrimaryRssMb: round(median(r.primaryRssMb)),
  });
}
process.exit(0);
