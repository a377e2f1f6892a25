import type { WorkerPool } from '../../media';
import { LiveStreamStore } from '../../storage/LiveStreamStore';
import { MediaRoomSupervisor } from '../media-rooms/MediaRoomSupervisor';
import type { ChatSocket } from '../socket/ChatSocket';
import { LiveAnnouncer } from './LiveAnnouncer';
import type { LiveDeps } from './LiveDeps';
import { LiveEnding } from './LiveEnding';
import { liveEvents } from './liveEvents';
import { LiveGateway } from './LiveGateway';
import { LiveHandover } from './LiveHandover';
import { LiveHls } from './LiveHls';
import { LiveHlsSigner } from './LiveHlsSigner';
import { LiveMedia } from './LiveMedia';
import { LivePlaces } from './LivePlaces';
import { LivePublishing } from './LivePublishing';
import { LiveRtcRouter } from './LiveRtcRouter';
import { LiveRtcViewers } from './LiveRtcViewers';
import type { LiveQueries } from './LiveQueries';
import { LiveStreams } from './LiveStreams';
import { LiveUpkeep } from './LiveUpkeep';
import { LiveWatching } from './LiveWatching';
import { StreamKeyStore } from '../../storage/StreamKeyStore';
import { StreamKeyService } from './whip/StreamKeyService';
import { WhipIngest } from './whip/WhipIngest';

/**
 * Live streams of one process (S12, S19) on the shared mediasoup pool, and their socket events.
 * The process that receives `live:create` runs the stream: the publisher's WebRTC transport on a
 * room of the pool, then (on `live:start`) an HlsPipeline writing HLS into DATA_DIR/hls/<streamid>,
 * which every node serves from the shared data directory. The stream's record in MongoDB makes it
 * listed and watchable from any node.
 */
export class Live {
  private constructor(
    /** What the HTTP routes ask (lists, one stream, HLS folders). */
    readonly queries: LiveQueries,
    private readonly gateway: LiveGateway,
    private readonly upkeep: LiveUpkeep,
    private readonly ending: LiveEnding,
    /** Real-time (WebRTC) viewing, served by the process that runs the stream (S27). */
    private readonly rtc: LiveRtcRouter,
    /** Encoders (OBS) over WHIP, and their stream keys (S27). */
    readonly ingest: { readonly keys: StreamKeyService; readonly whip: WhipIngest },
  ) {}

  static create(deps: LiveDeps, pool: Promise<WorkerPool | null>): Live {
    const rooms = new MediaRoomSupervisor({
      pool,
      unavailableReason: 'live streams are unavailable: the mediasoup worker did not start on this server',
      logger: deps.logger,
    });
    const store = new LiveStreamStore(deps.db);
    const hlsUrls = new LiveHlsSigner(deps.fileUrls, deps.config.liveHlsUrlTtl, deps.config.liveLlHls);
    const streams = new LiveStreams(deps, hlsUrls);
    const places = new LivePlaces(deps.db);
    const hls = new LiveHls(deps);
    const announcer = new LiveAnnouncer(deps);
    const ending = new LiveEnding(deps, streams, store, places, hls, announcer);
    const media = new LiveMedia(deps, streams, rooms, ending);
    const publishing = new LivePublishing(deps, streams, store, places, hls, rooms, media, ending, announcer);
    const handover = new LiveHandover(deps, streams, store, rooms, media, ending);
    const watching = new LiveWatching(deps, streams, store, hlsUrls, hls);
    const rtc = new LiveRtcRouter(deps, new LiveRtcViewers(deps, streams, store, watching));
    const upkeep = new LiveUpkeep(deps, streams, store, places, hls);
    const keyStore = new StreamKeyStore(deps.db);
    keyStore.ensureIndexes().catch((err) => deps.logger.warn({ err }, 'creating the stream key indexes failed'));
    const keys = new StreamKeyService(keyStore, deps.sessions);
    const whip = new WhipIngest(deps, keys, streams, publishing, media, ending);
    // A WHIP resource deleted on another process: the one running its stream ends it.
    deps.io.of('/').on('live:whipEnd', (resourceId, ack) => {
      if (typeof resourceId !== 'string') return ack(false);
      whip.endHere(resourceId).then(ack, () => ack(false));
    });
    const gateway = new LiveGateway(deps, liveEvents(publishing, handover, ending, watching, rtc), handover, watching);
    return new Live(watching, gateway, upkeep, ending, rtc, { keys, whip });
  }

  attach(socket: ChatSocket): void {
    this.gateway.attach(socket);
    this.rtc.attach(socket);
  }

  /** Shutdown: every stream ends (ENDLIST written, its "ended" message stored). */
  close(): Promise<void> {
    this.upkeep.close();
    this.rtc.close();
    return this.ending.endAll();
  }
}
