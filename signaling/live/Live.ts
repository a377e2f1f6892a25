import type { WorkerPool } from '../../media';
import type { AppContext } from '../node/AppContext';
import type { ChatSocket } from '../socket/ChatSocket';
import type { ChatServer } from '../socket/Fanout';
import { LiveGateway } from './LiveGateway';
import { LiveService } from './LiveService';

/** Live streams of one process (S12, S19) on the shared mediasoup pool, and their socket events. */
export class Live {
  private constructor(
    readonly service: LiveService,
    private readonly gateway: LiveGateway,
  ) {}

  static create(ctx: AppContext, io: ChatServer, pool: Promise<WorkerPool | null>): Live {
    const service = new LiveService(ctx, io);
    void pool.then((p) => service.attachPool(p, p ? undefined : 'live streams are unavailable: the mediasoup worker did not start on this server'));
    return new Live(service, new LiveGateway(ctx, io, service));
  }

  attach(socket: ChatSocket): void {
    this.gateway.attach(socket);
  }

  close(): Promise<void> {
    return this.service.close();
  }
}
