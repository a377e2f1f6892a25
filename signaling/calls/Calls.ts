import type { WorkerPool } from '../../media';
import { ActiveCallRegistry } from '../../storage/ActiveCallRegistry';
import { MediaRoomSupervisor } from '../media-rooms/MediaRoomSupervisor';
import type { ChatSocket } from '../socket/ChatSocket';
import { CallBook } from './CallBook';
import { CallDebug, callDebugEnabled } from './callDebug';
import type { CallDeps } from './CallDeps';
import { callOwnerOps } from './callEvents';
import { CallGateway } from './CallGateway';
import { CallLifecycle } from './CallLifecycle';
import { CallMedia } from './CallMedia';
import { CallNegotiation } from './CallNegotiation';
import { CallPlaces } from './CallPlaces';
import { CallRouter } from './CallRouter';
import { CallStarter } from './CallStarter';

/**
 * Group calls of one process (S18): the calls this process owns on the shared mediasoup worker
 * pool, and the socket events. Until the pool runs (or when mediasoup cannot start here) calls
 * answer `media_unavailable`.
 */
export class Calls {
  private constructor(
    private readonly rooms: MediaRoomSupervisor,
    private readonly book: CallBook,
    private readonly places: CallPlaces,
    private readonly lifecycle: CallLifecycle,
    private readonly gateway: CallGateway,
  ) {}

  static create(deps: CallDeps, pool: Promise<WorkerPool | null>): Calls {
    const rooms = new MediaRoomSupervisor({
      pool,
      unavailableReason: 'calls are unavailable: the mediasoup worker did not start on this server',
      logger: deps.logger,
      roomOptions: { spread: true },
    });
    const book = new CallBook(deps.metrics);
    const places = new CallPlaces(deps.db, deps.logger, () => book.ids());
    const registry = new ActiveCallRegistry(deps.db);
    const lifecycle = new CallLifecycle(deps, book, places, registry);
    const media = new CallMedia(deps, book, rooms, lifecycle);
    const starter = new CallStarter(deps, book, places, registry, rooms, media, lifecycle);
    const ops = callOwnerOps(lifecycle, new CallNegotiation(deps.io));
    const router = new CallRouter(book, ops, deps.peers);
    const logError = (err: unknown) => deps.logger.error({ err }, 'call request failed');
    const debug = callDebugEnabled() ? new CallDebug(deps.nodeId, book, rooms, deps.peers, deps.io, logError) : null;
    return new Calls(rooms, book, places, lifecycle, new CallGateway(deps, ops, router, starter, lifecycle, debug));
  }

  /** Resolves once the media pool is running or has failed. */
  ready(): Promise<void> {
    return this.rooms.ready();
  }

  attach(socket: ChatSocket): void {
    this.gateway.attach(socket);
  }

  /** Shutdown: every call ends (its "ended" message stored); the node stops the media workers after. */
  async close(): Promise<void> {
    await this.rooms.ready();
    this.rooms.close();
    this.places.close();
    await Promise.all(this.book.all().map((call) => this.lifecycle.endUnchosen(call)));
  }
}
