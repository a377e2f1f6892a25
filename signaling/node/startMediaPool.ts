import { WorkerPool } from '../../media';
import type { AppContext } from './AppContext';

/**
 * The mediasoup workers of this process, shared by calls and live streams. Started in the
 * background so the chat never waits for it; null when mediasoup cannot start here (calls and
 * live streams then answer `media_unavailable`).
 */
export function startMediaPool(ctx: Pick<AppContext, 'config' | 'logger'>): Promise<WorkerPool | null> {
  const { config, logger } = ctx;
  // Each process of the node takes its own block of ports (the cluster worker index, 0 when alone).
  const processIndex = Number(process.env.COOKIM_WORKER_INDEX ?? 0) || 0;
  const basePort = config.rtcPort + processIndex * config.mediaWorkers;
  return WorkerPool.create({
    size: config.mediaWorkers,
    basePort,
    fallbackPortRange: { min: config.rtcPort + 1000, max: Math.min(65535, config.rtcPort + 9999) },
    listenIp: config.rtcListenIp,
    announcedIp: config.announcedIp,
    // Diagnostics: the mediasoup worker's own log level (its lines go to the `debug` module: DEBUG=mediasoup*).
    logLevel: (process.env.MEDIASOUP_LOG_LEVEL as 'debug' | 'warn' | 'error' | 'none' | undefined) ?? 'warn',
    log: (level, message, details) => logger[level]({ ...details }, message),
  }).then(
    (pool) => {
      logger.info({ workers: pool.workers() }, 'media workers ready');
      return pool;
    },
    (err) => {
      logger.error({ err }, 'media workers did not start; calls and live streams are unavailable');
      return null;
    },
  );
}
