import cluster, { type Worker } from 'node:cluster';
import { createServer } from 'node:http';
import { Socket } from 'node:net';
import { setupPrimary } from '@socket.io/cluster-adapter';
import { setupMaster } from '@socket.io/sticky';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { bootstrap } from './bootstrap';
import { listenWithPortSearch } from './listenWithPortSearch';
import { servePrimaryMetrics } from './metricsIpc';

/**
 * The primary process of a node (S21, one host): owns the listening port and hands each connection
 * to one worker process, sticky by Socket.IO session id so HTTP long-polling works; workers share
 * rooms through the cluster adapter. A worker that dies is replaced.
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
    const http = createServer();
    setupMaster(http, { loadBalancingMethod: 'least-connection' });
    setupPrimary();
    const port = await listenWithPortSearch(http, config.port, config.host, config.portSearch);

    // Sticky sessions hand raw request bytes to workers, which needs the advanced IPC serialization.
    cluster.setupPrimary({ serialization: 'advanced' });
    // Every worker uses the broker resolved here (REDIS_URL or the embedded Redis; `off`: cluster adapter).
    const env = { COOKIM_WORKER: '1', MONGO_URL: mongo.url, COOKIM_DB_KIND: mongo.kind, COOKIM_REDIS_URL: redis?.url ?? 'off' };
    // Each worker process has an index (0..WORKERS-1), kept by its replacement: it picks the
    // process's block of WebRTC ports (RTC_PORT + index * MEDIA_WORKERS).
    const indexOf = new Map<Worker, number>();
    const fork = (index: number): Worker => {
      const worker = cluster.fork({ ...env, COOKIM_WORKER_INDEX: String(index) });
      indexOf.set(worker, index);
      stopReadingHandedOver(worker);
      // Sending to a worker that just died fails; the exit handler replaces it.
      worker.on('error', (err) => logger.warn({ err, worker: worker.process.pid }, 'worker channel error'));
      return worker;
    };
    servePrimaryMetrics();
    const ready = Array.from({ length: config.workers }, (_, index) => {
      const worker = fork(index);
      return new Promise<void>((resolve) => worker.on('message', (m: { type?: string }) => m?.type === 'cookim:ready' && resolve()));
    });
    cluster.on('exit', (worker, code, signal) => {
      if (this.stopping) return;
      logger.error({ worker: worker.process.pid, code, signal }, 'worker died; starting another');
      const index = indexOf.get(worker) ?? 0;
      indexOf.delete(worker);
      fork(index);
    });
    await Promise.all(ready);
    logger.info({ port, workers: config.workers, db: mongo.kind, fanout: redis ? 'redis-streams' : 'cluster', redis: redis?.kind ?? 'off' }, 'listening');

    const stop = () => void this.stop(http);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  }

  private async stop(http: ReturnType<typeof createServer>): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.logger.info('stopping workers');
    http.close();
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

/**
 * @socket.io/sticky hands a WebSocket connection to a worker with `worker.send(msg, socket)` once it
 * has read the upgrade request. Node keeps reading that socket in this process until the worker
 * acknowledges the handle, and throws away what it reads then (nodejs/node#8353). A client answers
 * the upgrade at once with its Socket.IO CONNECT frame: when that frame lands in the window it is
 * lost, and the client stays half-connected (transport open, never connected) until the server's
 * connect timeout closes it 45 s later. So the socket stops being read here before it is handed
 * over; what the client sends next waits in the kernel for the worker.
 */
function stopReadingHandedOver(worker: Worker): void {
  const send = worker.send.bind(worker) as (...args: unknown[]) => boolean;
  worker.send = ((message: unknown, handle?: unknown, ...rest: unknown[]) => {
    if (handle instanceof Socket) (handle as unknown as { _handle?: { readStop?(): number } | null })._handle?.readStop?.();
    return send(message, handle, ...rest);
  }) as Worker['send'];
}
