import cluster, { type Worker } from 'node:cluster';
import { createServer, type Server } from 'node:net';
import { setupPrimary } from '@socket.io/cluster-adapter';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { bootstrap } from './bootstrap';
import { ConnectionBalancer } from './ConnectionBalancer';
import { listenWithPortSearch } from './listenWithPortSearch';
import { servePrimaryMetrics } from './metricsIpc';

/** While no worker is ready, a connection waits this long for one before its 503 (well within a client's patience). */
const START_HOLD_MS = 750;
/** Node's own default limit on a request head. */
const MAX_HEADER_BYTES = 16 * 1024;

/**
 * The primary process of a node (S21, one host): owns the listening port and hands each connection
 * to one ready worker process (ConnectionBalancer: sticky by Socket.IO session id so HTTP
 * long-polling works); workers share rooms through the cluster adapter. A worker that dies is replaced.
 */
export class ClusterPrimary {
  private stopping = false;

  constructor(
    private readonly config: Config,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    const { config, logger } = this;
    const { mongo, redis } = await bootstrap(config, logger);
    const balancer = new ConnectionBalancer({
      headersTimeoutMs: config.headersTimeoutMs,
      holdMs: START_HOLD_MS,
      maxHeaderBytes: MAX_HEADER_BYTES,
      logger,
    });
    const server = createServer((socket) => balancer.accept(socket));
    setupPrimary();
    const port = await listenWithPortSearch(server, config.port, config.host, config.portSearch);

    // Connections go to workers with their request head as raw bytes, which needs the advanced IPC serialization.
    cluster.setupPrimary({ serialization: 'advanced' });
    // Every worker uses the broker resolved here (REDIS_URL or the embedded Redis; `off`: cluster adapter).
    const env = { COOKIM_WORKER: '1', MONGO_URL: mongo.url, COOKIM_DB_KIND: mongo.kind, COOKIM_REDIS_URL: redis?.url ?? 'off' };
    // Each worker process has an index (0..WORKERS-1), kept by its replacement: it picks the
    // process's block of WebRTC ports (RTC_PORT + index * MEDIA_WORKERS).
    const indexOf = new Map<Worker, number>();
    const fork = (index: number): Promise<void> => {
      const worker = cluster.fork({ ...env, COOKIM_WORKER_INDEX: String(index) });
      indexOf.set(worker, index);
      // Sending to a worker that just died fails; the exit handler replaces it.
      worker.on('error', (err) => logger.warn({ err, worker: worker.process.pid }, 'worker channel error'));
      worker.once('disconnect', () => balancer.workerGone(worker));
      return new Promise<void>((resolve) =>
        worker.on('message', (m: { type?: string }) => {
          if (m?.type !== 'cookim:ready') return;
          balancer.workerReady(worker);
          logger.debug({ worker: worker.process.pid, index }, 'worker ready');
          resolve();
        }),
      );
    };
    servePrimaryMetrics();
    const ready = Array.from({ length: config.workers }, (_, index) => fork(index));
    cluster.on('exit', (worker, code, signal) => {
      balancer.workerGone(worker);
      if (this.stopping) return;
      logger.error({ worker: worker.process.pid, code, signal }, 'worker died; starting another');
      const index = indexOf.get(worker) ?? 0;
      indexOf.delete(worker);
      void fork(index);
    });
    await Promise.all(ready);
    logger.info({ port, workers: config.workers, db: mongo.kind, fanout: redis ? 'redis-streams' : 'cluster', redis: redis?.kind ?? 'off' }, 'listening');

    const stop = () => void this.stop(server, balancer);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  }

  private async stop(server: Server, balancer: ConnectionBalancer): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.logger.info('stopping workers');
    server.close();
    balancer.close();
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w);
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            const timer = setTimeout(() => {
              w.process.kill('SIGKILL');
              resolve();
            }, 15_000);
            w.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            w.process.kill('SIGTERM');
          }),
      ),
    );
    this.logger.info('stopped');
    process.exit(0);
  }
}
