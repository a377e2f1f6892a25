/**
 * Entry point of a CookIM node. With WORKERS > 1 this process is the cluster primary and forks one
 * worker per core; with WORKERS=1 it serves by itself.
 */
import cluster from 'node:cluster';
import { setupWorker } from '@socket.io/sticky';
import { loadJwtSecret } from './auth/jwtSecret';
import { brokerPrefix, useBrokerAdapter } from './broker/brokerAdapter';
import { resolveMediasoupWorkerBin } from './calls/mediasoupWorkerBin';
import { ClusterPrimary } from './cluster/ClusterPrimary';
import { bootstrap } from './cluster/bootstrap';
import { confirmHandOvers } from './cluster/handOverConfirmations';
import { applyHttpTimeouts } from './cluster/httpTimeouts';
import { listenWithPortSearch } from './cluster/listenWithPortSearch';
import { serveWorkerMetrics } from './cluster/metricsIpc';
import { loadConfig } from './config';
import { createLogger, type Logger } from './logger';
import { ChatNode } from './node/ChatNode';

function onSignals(logger: Logger, stop: () => Promise<void>): void {
  let stopping = false;
  const handler = () => {
    if (stopping) return;
    stopping = true;
    stop()
      .catch((err) => logger.error({ err }, 'shutdown failed'))
      .finally(() => process.exit(0));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}

async function runStandalone(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const { mongo, jwtSecret, redis } = await bootstrap(config, logger);
  const node = await ChatNode.create({ config, logger, mongoUrl: mongo.url, jwtSecret });
  const broker = await useBrokerAdapter(node.io, { redisUrl: redis?.url, prefix: brokerPrefix(config.mongoDb), logger, clusterWorker: false });
  applyHttpTimeouts(node.http, config);
  // Listening only now: every connection the port accepts is served at once.
  const port = await listenWithPortSearch(node.http, config.port, config.host, config.portSearch);
  logger.info({ port, workers: 1, db: mongo.kind, fanout: broker.kind, redis: redis?.kind ?? 'off' }, 'listening');
  onSignals(logger, () => node.close().finally(() => broker.close()));
}

async function runWorker(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel, { worker: cluster.worker?.id });
  let clusterMetrics: (() => Promise<{ contentType: string; body: string }>) | undefined;
  const node = await ChatNode.create({
    config,
    logger,
    mongoUrl: process.env.MONGO_URL!,
    jwtSecret: loadJwtSecret(config.jwtSecret, config.dataDir),
    app: { clusterMetrics: () => clusterMetrics!() },
  });
  clusterMetrics = serveWorkerMetrics(node.ctx.metrics.registry);
  // The primary resolved the broker: REDIS_URL or the embedded Redis, or `off` (cluster adapter).
  const broker = await useBrokerAdapter(node.io, { redisUrl: process.env.COOKIM_REDIS_URL, prefix: brokerPrefix(config.mongoDb), logger, clusterWorker: true });
  applyHttpTimeouts(node.http, config);
  setupWorker(node.io);
  confirmHandOvers();
  // The primary hands this process connections only from now on.
  onSignals(logger, () => node.close().finally(() => broker.close()));
  process.send?.({ type: 'cookim:ready' });
}

async function main(): Promise<void> {
  if (cluster.isWorker) return runWorker();
  const config = loadConfig();
  // Before any process imports mediasoup (cluster workers inherit it through the environment).
  if (!resolveMediasoupWorkerBin()) createLogger(config.logLevel).warn('no built mediasoup worker found (npm start builds it); calls may be unavailable');
  if (config.workers <= 1) return runStandalone();
  return new ClusterPrimary(config, createLogger(config.logLevel, { role: 'primary' })).start();
}

main().catch((err) => {
  // eslint-disable-next-line no-console
  console.error(err);
  process.exit(1);
});
