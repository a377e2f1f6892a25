import type { WorkerPool } from '../../media';
import type { AppContext } from '../node/AppContext';
import type { ChatSocket } from '../socket/ChatSocket';
import type { ChatServer } from '../socket/Fanout';
import { CallGateway } from './CallGateway';
import { CallService } from './CallService';

/**
 * Group calls of one process (S18): the calls this process owns on the shared mediasoup worker
 * pool, and the socket events. Until the pool runs (or when mediasoup cannot start here) calls
 * answer `media_unavailable`.
 */
export class Calls {
  private constructor(
    readonly service: CallService,
    private readonly gateway: CallGateway,
    private readonly poolStarted: Promise<void>,
  ) {}

  static create(ctx: AppContext, io: ChatServer, pool: Promise<WorkerPool | null>): Calls {
    const service = new CallService(ctx, io);
    const gateway = new CallGateway(ctx, io, service);
    const started = pool.then((p) => {
      if (p) service.attachPool(p);
      else service.attachPool(null, 'calls are unavailable: the mediasoup worker did not start on this server');
    });
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
