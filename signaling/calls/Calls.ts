import type { Room, WorkerPool } from '../../media';
import { ActiveCallRegistry } from '../../storage/ActiveCallRegistry';
import { MediaRoomSupervisor } from '../media-rooms/MediaRoomSupervisor';
import type { ChatSocket } from '../socket/ChatSocket';
import { CallBook } from './CallBook';
import { CallDebug, callDebugEnabled } from './callDebug';
import type { CallDeps } from './CallDeps';
import { callOwnerOps } from './callEvents';
import { CallGateway } from './CallGateway';
import { CallLegNotices } from './CallLegNotices';
import { callLegOps } from './callLegOps';
import { CallLegs } from './CallLegs';
import { CallLifecycle } from './CallLifecycle';
import { CallMedia } from './CallMedia';
import { CallNegotiation } from './CallNegotiation';
import { CallPipes } from './CallPipes';
import { CallPresence } from './CallPresence';
import { CallPlaces } from './CallPlaces';
import { CallRouter } from './CallRouter';
import { CallStarter } from './CallStarter';
import { CallSubscriptions } from './CallSubscriptions';
import { CallRecordings } from './recording/CallRecordings';

/**
 * Group calls of one process (S18, S28): the calls this process owns on the shared mediasoup
 * worker pool, the legs of calls owned elsewhere whose participants are connected here, the
 * producers piped between processes, and the socket events. Until the pool runs (or when mediasoup cannot start here) calls
 * answer `media_unavailable`.
 */
export class Calls {
  private constructor(
    private readonly rooms: MediaRoomSupervisor,
    private readonly book: CallBook,
    private readonly places: CallPlaces,
    private readonly lifecycle: CallLifecycle,
    private readonly legs: CallLegs,
    private readonly presence: CallPresence,
    private readonly gateway: CallGateway,
    private readonly recordings: CallRecordings,
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
    // The call's room on this process: the owner's, or the leg of a call owned elsewhere.
    const pipes: CallPipes = new CallPipes(deps, deps.config, (callid): Room | null => book.get(callid)?.room ?? legs.get(callid)?.room ?? null);
    const legs: CallLegs = new CallLegs(deps, rooms, pipes);
    book.countLegRooms(() => legs.all().flatMap((l) => (l.room && !l.room.closed ? [l.room] : [])));
    const recordings = new CallRecordings(deps, deps.recording);
    const subscriptions = new CallSubscriptions(deps, book, deps.config.callScreen);
    const lifecycle = new CallLifecycle(deps, book, places, registry, recordings, new CallLegNotices(deps, book), subscriptions);
    const media = new CallMedia(deps, book, rooms, lifecycle, subscriptions, recordings, pipes);
    const starter = new CallStarter(deps, book, places, registry, rooms, media, lifecycle);
    const negotiation = new CallNegotiation(deps.io, subscriptions, legs);
    const ops = callOwnerOps(lifecycle, negotiation, recordings, subscriptions);
    const router = new CallRouter(book, ops, deps.peers, legs, callLegOps(negotiation));
    const logError = (err: unknown) => deps.logger.error({ err }, 'call request failed');
    const presence = new CallPresence(deps, book, lifecycle, () =>
      [...book.all().map((c) => c.room), ...legs.all().map((l) => l.room)].filter((r): r is Room => !!r && !r.closed),
    );
    const debug = callDebugEnabled() ? new CallDebug(deps.nodeId, book, legs, rooms, deps.peers, deps.io, logError) : null;
    return new Calls(rooms, book, places, lifecycle, legs, presence, new CallGateway(deps, ops, router, starter, lifecycle, legs, debug), recordings);
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
    this.legs.close();
    this.presence.close();
    await Promise.all(this.book.all().map((call) => this.lifecycle.endUnchosen(call)));
    // Recordings the ended calls leave are stored before the node closes its database.
    await this.recordings.settle();
  }
}
