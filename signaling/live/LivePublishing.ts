import { randomUUID } from 'node:crypto';
import type { types as ms } from 'mediasoup';
import { HlsPipeline, type Room } from '../../media';
import type { LiveStreamStore } from '../../storage/LiveStreamStore';
import type { MediaRoomSupervisor } from '../media-rooms/MediaRoomSupervisor';
import { checkSourceMatchesKind } from '../media-rooms/mediaRoomErrors';
import type { LiveCreatePayload, LiveCreateResult, LiveProducePayload, LiveStreamInfo, LiveTransportConnectPayload, LiveVisibility } from '../protocol/live';
import { JoinType, VisableType } from '../protocol/models';
import type { Requester } from '../socket/requester';
import { sessionView } from '../views';
import type { LiveAnnouncer } from './LiveAnnouncer';
import type { LiveDeps } from './LiveDeps';
import type { LiveEnding } from './LiveEnding';
import {
  AlreadyLiveError,
  LiveRequestError,
  MediaUnavailableError,
  NotPublisherError,
  ServerFullError,
  StreamNotFoundError,
  StreamNotMemberError,
  TrackTakenError,
} from './liveErrors';
import { LL_PART_SECONDS, type LiveHls } from './LiveHls';
import type { LiveMedia, PublisherMedia } from './LiveMedia';
import type { LivePlaces } from './LivePlaces';
import { LiveStream } from './LiveStream';
import type { LiveStreams } from './LiveStreams';

const ok = { ok: true } as const;

/**
 * Publishing, on the process that receives `live:create` (it runs the stream): the stream and its
 * send transport, the publisher's tracks, then on `live:start` the HLS pipeline, the listing and
 * the announcement.
 */
export class LivePublishing {
  constructor(
    private readonly deps: LiveDeps,
    private readonly streams: LiveStreams,
    private readonly store: LiveStreamStore,
    private readonly places: LivePlaces,
    private readonly hls: LiveHls,
    private readonly rooms: MediaRoomSupervisor,
    private readonly media: LiveMedia,
    private readonly ending: LiveEnding,
    private readonly announcer: LiveAnnouncer,
  ) {}

  async create(requester: Requester, payload: LiveCreatePayload): Promise<LiveCreateResult> {
    const { config, sessions } = this.deps;
    this.rooms.requirePool();
    if (!(await this.hls.ffmpegRuns)) throw new MediaUnavailableError('live streams need ffmpeg on this server (FFMPEG_PATH)');
    if (this.streams.all().some((s) => s.publisherSocketId === requester.socketId)) {
      throw new AlreadyLiveError('this connection already publishes a stream; stop it first');
    }
    if (this.streams.size >= config.liveMaxStreams) throw new ServerFullError();
    const visibility = payload.visibility ?? (payload.sessionid ? 'members' : 'public');
    if (payload.sessionid) {
      if (!requester.sessions.includes(payload.sessionid)) throw new StreamNotMemberError();
      const session = await sessions.get(payload.sessionid);
      if (!session.uids.includes(requester.uid)) throw new StreamNotMemberError();
    } else if (visibility === 'members') {
      throw new LiveRequestError('a members-only stream needs its conversation (sessionid)');
    }
    const { stream, room } = await this.open({ uid: requester.uid, nickname: requester.nickname }, requester.socketId, {
      title: payload.title,
      visibility,
      sessionid: payload.sessionid,
    });
    let media: PublisherMedia;
    try {
      media = await this.media.attachRoom(stream, room);
    } catch (err) {
      await this.ending.end(stream, 'media_lost');
      throw err;
    }
    // A stream created and never started must not hold its room (and a LIVE_MAX_STREAMS place).
    this.media.awaitTracks(stream);
    return { stream: this.streams.view(stream), ...media };
  }

  /**
   * A new stream of this process with its media room (no transport yet), its places taken (the
   * user's LIVE_STREAMS_PER_USER and LIVE_MAX_STREAMS here): a browser's `live:create`, or a WHIP
   * publish (`connection` is then its resource, never a socket id). Membership is checked by the caller.
   */
  async open(
    publisher: { uid: string; nickname: string },
    connection: string,
    options: { title: string; visibility: LiveVisibility; sessionid?: string; streamid?: string },
  ): Promise<{ stream: LiveStream; room: Room }> {
    const { config, logger } = this.deps;
    this.rooms.requirePool();
    if (!(await this.hls.ffmpegRuns)) throw new MediaUnavailableError('live streams need ffmpeg on this server (FFMPEG_PATH)');
    if (this.streams.size >= config.liveMaxStreams) throw new ServerFullError();
    const streamid = options.streamid ?? randomUUID();
    await this.places.claim(publisher.uid, streamid, config.liveStreamsPerUser);
    if (this.streams.size >= config.liveMaxStreams) {
      // Filled up while the places were taken.
      await this.places.release(streamid).catch(() => undefined);
      throw new ServerFullError();
    }
    let room: Room;
    try {
      room = await this.media.createRoom(streamid);
    } catch (err) {
      await this.places.release(streamid).catch(() => undefined);
      throw err;
    }
    const renditions = config.liveRenditions.map((r) => ({ name: r.name, height: r.height, bandwidth: r.videoBitrate }));
    const stream = new LiveStream(streamid, options.title, options.visibility, options.sessionid, publisher, connection, Date.now(), renditions, room);
    stream.webrtc = config.liveWebrtcViewers > 0;
    this.streams.add(stream);
    logger.info({ streamid, uid: publisher.uid, visibility: options.visibility, sessionid: options.sessionid }, 'live stream created');
    return { stream, room };
  }

  async connect(requester: Requester, payload: LiveTransportConnectPayload): Promise<typeof ok> {
    const { stream, room } = this.publishing(requester, payload.streamid);
    await room.connectTransport(stream.publisher.uid, payload.transportId, payload.dtlsParameters as ms.DtlsParameters);
    return ok;
  }

  async produce(requester: Requester, payload: LiveProducePayload): Promise<{ producerId: string }> {
    const { stream, room } = this.publishing(requester, payload.streamid);
    checkSourceMatchesKind(payload.source, payload.kind);
    if (stream.pipeline) throw new AlreadyLiveError('the stream is live: its tracks are fixed');
    if (room.producers().some((p) => p.kind === payload.kind)) throw new TrackTakenError(payload.kind);
    const record = await room.produce(stream.publisher.uid, payload.transportId, payload.kind, payload.rtpParameters as ms.RtpParameters, payload.source);
    return { producerId: record.producerId };
  }

  /** Goes live: HLS starts, the stream is listed and announced. */
  async start(requester: Requester, streamid: string): Promise<{ stream: LiveStreamInfo }> {
    const { stream, room } = this.publishing(requester, streamid);
    return { stream: await this.goLive(stream, room) };
  }

  /** The stream's tracks are in: HLS starts, the stream is listed and announced (once). */
  async goLive(stream: LiveStream, room: Room): Promise<LiveStreamInfo> {
    const { logger, nodeId } = this.deps;
    const { streamid } = stream;
    if (stream.pipeline) return this.streams.view(stream);
    const producers = room.producers();
    if (!producers.some((p) => p.kind === 'video')) throw new LiveRequestError('produce a video track (camera or screen) first');
    if (!stream.sessionid) stream.sessionid = await this.createChatGroup(stream);
    await this.startPipeline(stream, room.router, producers.map((p) => p.producerId));
    stream.clearTimers();
    if (stream.listed) {
      // Back after its media moved (live:reconnectMedia) or its publisher resumed: listed and announced already.
      logger.info({ streamid }, 'live stream media resumed');
      return this.streams.view(stream);
    }
    await this.store.create(stream.doc(nodeId));
    stream.listed = true;
    await this.places.started(streamid);
    await this.announcer.announce(stream, 'started');
    logger.info({ streamid }, 'live stream started');
    return this.streams.view(stream);
  }

  /** The stream this connection publishes, with its room. */
  private publishing(requester: Requester, streamid: string): { stream: LiveStream; room: Room } {
    const stream = this.streams.get(streamid);
    if (!stream) throw new StreamNotFoundError();
    if (stream.publisherSocketId !== requester.socketId) throw new NotPublisherError();
    if (!stream.room) throw new MediaUnavailableError('the stream lost its media server');
    return { stream, room: stream.room };
  }

  private async startPipeline(stream: LiveStream, router: Room['router'], producerIds: string[]): Promise<void> {
    const { config, logger } = this.deps;
    const { streamid } = stream;
    try {
      stream.pipeline = await HlsPipeline.start({
        router,
        producerIds,
        outDir: this.hls.dir(streamid),
        ffmpegPath: config.ffmpegPath,
        renditions: config.liveRenditions,
        segmentSeconds: config.liveSegmentSeconds,
        // Any H.264 source at the top rendition's size is copied (OBS over WHIP, a browser sending
        // H.264); posters every 5 s for every stream (HlsPosters, from the written segments).
        threads: 1,
        nice: 10,
        ...(config.liveLlHls ? { llHls: { dir: this.hls.llDir(streamid), partSeconds: LL_PART_SECONDS } } : {}),
        log: (level, message, details) => logger[level]({ streamid, ...details }, message),
      });
    } catch (err) {
      await this.ending.end(stream, 'media_lost');
      throw err;
    }
    const pipeline = stream.pipeline;
    pipeline.once('playable', () => void this.markLive(stream));
    pipeline.once('failed', () => void this.ending.end(stream, 'media_lost'));
    pipeline.on('restarted', ({ attempt }) => logger.warn({ streamid, attempt }, 'live stream transcoder restarted'));
  }

  /** A public stream without a conversation gets an open, listed group as its chat. */
  private async createChatGroup(stream: LiveStream): Promise<string> {
    const name = `Live: ${stream.title}`.slice(0, 64);
    const doc = await this.deps.sessions.createGroup(stream.publisher.uid, { name, visabletype: VisableType.Public, jointype: JoinType.Anyone });
    this.deps.fanout.memberAdded(stream.publisher.uid, sessionView(doc, this.deps.fileUrls));
    return doc._id.toHexString();
  }

  private async markLive(stream: LiveStream): Promise<void> {
    if (stream.state !== 'starting') return;
    stream.state = 'live';
    stream.liveAt = Date.now();
    this.deps.logger.info({ streamid: stream.streamid, afterMs: stream.liveAt - stream.startedAt }, 'live stream playable');
    await this.store.update(stream.streamid, { state: 'live', liveAt: stream.liveAt }).catch(() => undefined);
    this.streams.emitUpdate(stream.streamid, this.streams.view(stream), stream.publisher.uid);
  }
}
