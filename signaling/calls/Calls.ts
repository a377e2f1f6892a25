import { WorkerPool } from '../../media';
import type { AppContext } from '../node/AppContext';
import type { ChatSocket } from '../socket/ChatSocket';
import type { ChatServer } from '../socket/Fanout';
import { CallGateway } from './CallGateway';
import { CallService } from './CallService';

/**
 * Group calls of one process (S18): the mediasoup worker pool, the calls this process owns, and the
 * socket events. The pool starts in the background so the chat never waits for it; until it runs
 * (or when mediasoup cannot start here) calls answer `media_unavailable`.
 */
export class Calls {
  private constructor(
    readonly service: CallService,
    private readonly gateway: CallGateway,
    private readonly poolStarted: Promise<void>,
  ) {}

  static create(ctx: AppContext, io: ChatServer): Calls {
    const service = new CallService(ctx, io);
    const gateway = new CallGateway(ctx, io, service);
    const { config, logger } = ctx;
    // Each process of the node takes its own block of ports (the cluster worker index, 0 when alone).
    const processIndex = Number(process.env.COOKIM_WORKER_INDEX ?? 0) || 0;
    const basePort = config.rtcPort + processIndex * config.mediaWorkers;
    const started = WorkerPool.create({
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
        service.attachPool(pool);
        logger.info({ workers: pool.workers() }, 'media workers ready');
      },
      (err) => {
        service.attachPool(null, 'calls are unavailable: the mediasoup worker did not start on this server');
        logger.error({ err }, 'media workers did not start; calls are unavailable');
      },
    );
    return new Calls(service, gateway, started);
  }

  /** Resolves once the media pool is running or has failed. */
  ready(): Promise<void> {
    return this.poolStarted;
  }

  attach(socket: ChatSocket): void {
    this.gateway.attach(socket);
  }

  async close(): Promise<void> {
    await this.poolStarted;
    await this.service.close();
  }
}
