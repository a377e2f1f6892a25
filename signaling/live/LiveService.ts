import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { types as ms } from 'mediasoup';
import { HlsPipeline, HlsTranscoder, type Room, type WorkerPool } from '../../media';
import type { LiveStreamDoc } from '../../storage/documents';
import { LiveStreamStore } from '../../storage/LiveStreamStore';
import { UserSlots } from '../../storage/UserSlots';
import { postAnnouncement } from '../announcements';
import { formatDuration } from '../protocol/duration';
import { ApiError } from '../http/ApiError';
import { mediaApiError, mediaUnavailable as unavailable } from '../mediaApiError';
import type { AppContext } from '../node/AppContext';
import type { JsonObject, TransportInfo } from '../protocol/calls';
import { ErrorCode } from '../protocol/errors';
import type {
  LiveCreatePayload,
  LiveCreateResult,
  LiveEndReason,
  LiveProducePayload,
  LiveStreamInfo,
  LiveTransportConnectPayload,
} from '../protocol/live';
import { JoinType, MsgType, VisableType } from '../protocol/models';
import { userRoom, type ChatServer } from '../socket/Fanout';
import type { Requester } from '../socket/requester';
import { sessionView } from '../views';
import { LiveHlsSigner } from './LiveHlsSigner';
import { LiveStream } from './LiveStream';
import { liveStreamView } from './liveViews';

const ok = { ok: true } as const;
/** The owner refreshes its streams' records this often; a record not refreshed for STALE_MS is a dead stream. */
const HEARTBEAT_MS = 5_000;
const STALE_MS = 20_000;
/** How long a publisher has to send its tracks again after its media moved to another worker. */
const RECONNECT_MS = 30_000;
/** Kinds of a user's places in UserSlots: streams running (LIVE_STREAMS_PER_USER), and the one not started yet. */
const STREAM_SLOT = 'live';
const UNSTARTED_SLOT = 'live-unstarted';

export const liveRoom = (streamid: string): string => `live:${streamid}`;
const mediaRoomId = (streamid: string): string => `live:${streamid}`;

export const streamNotFound = () => new ApiError(404, ErrorCode.StreamNotFound, 'no such live stream (it ended, or never existed)');
const notMember = () => new ApiError(403, ErrorCode.NotMember, 'this stream is for the members of its conversation');
const notPublisher = () => new ApiError(403, ErrorCode.Forbidden, 'only the publisher (from the connection that created it) may do that');
const mediaUnavailable = (message = 'live streaming is not available right now; try again') => unavailable(message);
const serverFull = () => new ApiError(503, ErrorCode.Unavailable, 'this server runs as many live streams as it can; try again later', true);


/**
 * Live streams (S12, S19). The process that receives `live:create` runs the stream: the publisher's
 * WebRTC transport on a room of the shared mediasoup pool, then (on `live:start`) an HlsPipeline
 * writing HLS into DATA_DIR/hls/<streamid>, which every node serves from the shared data
 * directory. The stream's record in MongoDB makes it listed and watchable from any node; viewers
 * are counted in the `live:<streamid>` Socket.IO room across the adapter.
 */
export class LiveService {
  readonly store: LiveStreamStore;
  /** Each user's streams, counted across every node (LIVE_STREAMS_PER_USER; one not started yet at most). */
  private readonly slots: UserSlots;
  /** Signs the streams' HLS folders (short-lived; see LiveHlsSigner). */
  readonly hlsUrls: LiveHlsSigner;
  private readonly streams = new Map<string, LiveStream>();
  private pool: WorkerPool | null = null;
  private poolFailure: string | null = null;
  private readonly timers: NodeJS.Timeout[] = [];
  /** Whether FFMPEG_PATH runs here (checked once at start). */
  private readonly ffmpeg: Promise<boolean>;

  constructor(
    private readonly ctx: AppContext,
    private readonly io: ChatServer,
  ) {
    this.store = new LiveStreamStore(ctx.db);
    this.slots = new UserSlots(ctx.db, STALE_MS);
    this.hlsUrls = new LiveHlsSigner(ctx.fileUrls, ctx.config.liveHlsUrlTtl);
    this.ffmpeg = new Promise((resolve) => {
      execFile(ctx.config.ffmpegPath, ['-hide_banner', '-version'], { timeout: 10_000 }, (err) => {
        if (err) ctx.logger.warn({ ffmpeg: ctx.config.ffmpegPath, err: err.message }, 'ffmpeg does not run here: live streams are unavailable');
        resolve(!err);
      });
    });
    // Short replay lifetimes (tests, demos) are swept in time: at least every half lifetime.
    const sweepMs = Math.min(15_000, Math.max(1000, ctx.config.liveReplayTtl * 500));
    this.timers.push(
      setInterval(() => void this.heartbeat(), HEARTBEAT_MS).unref(),
      setInterval(() => void this.sweep().catch((err) => ctx.logger.warn({ err }, 'sweeping live streams failed')), sweepMs).unref(),
    );
  }

  attachPool(pool: WorkerPool | null, failure?: string): void {
    this.pool = pool;
    this.poolFailure = failure ?? null;
    pool?.on('roomsLost', ({ roomIds }) => {
      for (const stream of [...this.streams.values()]) {
        if (roomIds.includes(mediaRoomId(stream.streamid))) void this.recoverMedia(stream);
      }
    });
  }

  /** Where a stream's HLS files are. */
  dir(streamid: string): string {
    return path.join(this.ctx.config.dataDir, 'hls', streamid);
  }

  // ---------- publishing (the owning process) ----------

  async create(requester: Requester, payload: LiveCreatePayload): Promise<LiveCreateResult> {
    const { config } = this.ctx;
    if (!this.pool) throw mediaUnavailable(this.poolFailure ?? 'the media servers are starting; try again');
    if (!(await this.ffmpeg)) throw mediaUnavailable('live streams need ffmpeg on this server (FFMPEG_PATH)');
    if ([...this.streams.values()].some((s) => s.publisherSocketId === requester.socketId)) {
      throw new ApiError(409, ErrorCode.AlreadyLive, 'this connection already publishes a stream; stop it first');
    }
    if (this.streams.size >= config.liveMaxStreams) {
      throw serverFull();
    }
    const visibility = payload.visibility ?? (payload.sessionid ? 'members' : 'public');
    if (payload.sessionid) {
      if (!requester.sessions.includes(payload.sessionid)) throw notMember();
      const session = await this.ctx.sessions.get(payload.sessionid);
      if (!session.uids.includes(requester.uid)) throw notMember();
    } else if (visibility === 'members') {
      throw new ApiError(400, ErrorCode.InvalidInput, 'a members-only stream needs its conversation (sessionid)');
    }
    const streamid = randomUUID();
    await this.claimSlots(requester.uid, streamid);
    if (this.streams.size >= config.liveMaxStreams) {
      // Filled up while the places were taken.
      await this.slots.release(streamid).catch(() => undefined);
      throw serverFull();
    }
    let room: Room;
    try {
      room = await this.pool.createRoom(mediaRoomId(streamid));
    } catch (err) {
      await this.slots.release(streamid).catch(() => undefined);
      throw mediaApiError(err);
    }
    const renditions = config.liveRenditions.map((r) => ({ name: r.name, height: r.height, bandwidth: r.videoBitrate }));
    const stream = new LiveStream(
      streamid,
      payload.title,
      visibility,
      payload.sessionid,
      { uid: requester.uid, nickname: requester.nickname },
      requester.socketId,
      Date.now(),
      renditions,
      room,
    );
    this.streams.set(streamid, stream);
    let media: Omit<LiveCreateResult, 'stream'>;
    try {
      media = await this.attachRoom(stream, room);
    } catch (err) {
      await this.end(stream, 'media_lost');
      throw mediaApiError(err);
    }
    // A stream created and never started must not hold its room (and a LIVE_MAX_STREAMS place).
    this.awaitTracks(stream);
    this.refreshMetrics();
    this.ctx.logger.info({ streamid, uid: requester.uid, visibility, sessionid: payload.sessionid }, 'live stream created');
    return { stream: this.view(stream), ...media };
  }

  /**
   * A user runs at most LIVE_STREAMS_PER_USER streams across every node, and at most one of them
   * not started yet: several tabs or connections preparing streams cannot hold every place of the
   * servers (LIVE_MAX_STREAMS) while others are refused. The one being prepared ends by itself
   * (its connection closes, or it is not started within RECONNECT_MS), so refusing is enough.
   */
  private async claimSlots(uid: string, streamid: string): Promise<void> {
    if (!(await this.slots.claim(uid, UNSTARTED_SLOT, streamid, 1))) {
      throw new ApiError(409, ErrorCode.AlreadyLive, 'you are already setting up a live stream (in another tab or on another device); start or stop it first');
    }
    const perUser = this.ctx.config.liveStreamsPerUser;
    let claimed = false;
    try {
      claimed = await this.slots.claim(uid, STREAM_SLOT, streamid, perUser);
    } finally {
      if (!claimed) await this.slots.release(streamid).catch(() => undefined);
    }
    if (!claimed) throw new ApiError(409, ErrorCode.AlreadyLive, `you already run ${perUser === 1 ? 'a live stream' : `${perUser} live streams`}; stop one first`);
  }

  /** The stream's media room (new, or after its worker died): quality reports and the publisher's send transport. */
  private async attachRoom(stream: LiveStream, room: Room): Promise<Omit<LiveCreateResult, 'stream'>> {
    stream.room = room;
    room.on('producerScore', ({ kind, score }) => {
      if (stream.publisherSocketId) this.io.to(stream.publisherSocketId).emit('live:quality', { streamid: stream.streamid, kind, score });
    });
    return this.sendTransport(stream, room);
  }

  /** A fresh send transport for the publisher (its earlier transports, and their producers, closed). */
  private async sendTransport(stream: LiveStream, room: Room): Promise<Omit<LiveCreateResult, 'stream'>> {
    room.removePeer(stream.publisher.uid);
    const transport = (await room.createWebRtcTransport(stream.publisher.uid, 'send')) as unknown as TransportInfo;
    return { routerRtpCapabilities: room.rtpCapabilities as unknown as JsonObject, transport };
  }

  /** Waits for the publisher to start, or to send its tracks again (live:reconnectMedia, live:resume); else the stream ends. */
  private awaitTracks(stream: LiveStream): void {
    if (stream.reconnectTimer) clearTimeout(stream.reconnectTimer);
    stream.reconnectTimer = setTimeout(() => {
      if (!stream.pipeline && this.streams.has(stream.streamid)) void this.end(stream, 'media_lost');
    }, RECONNECT_MS);
  }

  /**
   * The stream's mediasoup worker died: the transcoder is stopped without ending the playlists, a
   * room on a live worker takes over, and the publisher is told to send its tracks again
   * (`live:reconnectMedia`, then `live:produce` and `live:start`); the playlists continue after a
   * discontinuity. A publisher that does not come back within RECONNECT_MS ends the stream.
   */
  private async recoverMedia(stream: LiveStream): Promise<void> {
    const { streamid } = stream;
    stream.room = null;
    stream.dropPipeline();
    this.ctx.logger.warn({ streamid }, 'live stream media lost with its mediasoup worker; moving it');
    for (let attempt = 0; attempt < 10 && this.pool && this.streams.has(streamid); attempt++) {
      try {
        const room = await this.pool.createRoom(mediaRoomId(streamid));
        if (!this.streams.has(streamid)) {
          room.close();
          return;
        }
        const media = await this.attachRoom(stream, room);
        // A publisher that is away gets new media when it resumes.
        if (stream.publisherSocketId) {
          this.io.to(stream.publisherSocketId).emit('live:reconnectMedia', { streamid, ...media });
          this.awaitTracks(stream);
        }
        this.ctx.logger.info({ streamid, workerPid: room.worker.pid }, 'live stream media moved; waiting for the publisher');
        return;
      } catch (err) {
        this.ctx.logger.warn({ err, streamid, attempt }, 'moving live stream media failed; retrying');
        await new Promise((r) => setTimeout(r, 250 * (attempt + 1)));
      }
    }
    await this.end(stream, 'media_lost');
  }

  async connect(requester: Requester, payload: LiveTransportConnectPayload): Promise<typeof ok> {
    const { stream, room } = this.publishing(requester, payload.streamid);
    await room.connectTransport(stream.publisher.uid, payload.transportId, payload.dtlsParameters as unknown as ms.DtlsParameters).catch((err) => {
      throw mediaApiError(err);
    });
    return ok;
  }

  async produce(requester: Requester, payload: LiveProducePayload): Promise<{ producerId: string }> {
    const { stream, room } = this.publishing(requester, payload.streamid);
    if ((payload.source === 'mic') !== (payload.kind === 'audio')) {
      throw new ApiError(400, ErrorCode.InvalidInput, 'source: mic is audio, camera and screen are video');
    }
    if (stream.pipeline) throw new ApiError(409, ErrorCode.AlreadyLive, 'the stream is live: its tracks are fixed');
    if (room.producers().some((p) => p.kind === payload.kind)) {
      throw new ApiError(409, ErrorCode.InvalidInput, `the stream already has its ${payload.kind} track`);
    }
    try {
      const record = await room.produce(stream.publisher.uid, payload.transportId, payload.kind, payload.rtpParameters as unknown as ms.RtpParameters, payload.source);
      return { producerId: record.producerId };
    } catch (err) {
      throw mediaApiError(err);
    }
  }

  /** Goes live: HLS starts, the stream is listed and announced. */
  async start(requester: Requester, streamid: string): Promise<{ stream: LiveStreamInfo }> {
    const { stream, room } = this.publishing(requester, streamid);
    if (stream.pipeline) return { stream: this.view(stream) };
    const producers = room.producers();
    if (!producers.some((p) => p.kind === 'video')) throw new ApiError(400, ErrorCode.InvalidInput, 'produce a video track (camera or screen) first');
    if (!stream.sessionid) stream.sessionid = await this.createChatGroup(stream);
    await this.startPipeline(stream, room.router, producers.map((p) => p.producerId));
    stream.clearTimers();
    if (stream.listed) {
      // Back after its media moved (live:reconnectMedia) or its publisher resumed: listed and announced already.
      this.ctx.logger.info({ streamid }, 'live stream media resumed');
      return { stream: this.view(stream) };
    }
    await this.store.create(stream.doc(this.ctx.nodeId));
    stream.listed = true;
    // Started: the user may prepare another (within LIVE_STREAMS_PER_USER).
    await this.slots.release(streamid, UNSTARTED_SLOT).catch(() => undefined);
    await this.announce(stream, 'started');
    this.ctx.logger.info({ streamid }, 'live stream started');
    return { stream: this.view(stream) };
  }

  private async startPipeline(stream: LiveStream, router: Room['router'], producerIds: string[]): Promise<void> {
    const { streamid } = stream;
    try {
      stream.pipeline = await HlsPipeline.start({
        router,
        producerIds,
        outDir: this.dir(streamid),
        ffmpegPath: this.ctx.config.ffmpegPath,
        renditions: this.ctx.config.liveRenditions,
        segmentSeconds: this.ctx.config.liveSegmentSeconds,
        threads: 1,
        nice: 10,
        log: (level, message, details) => this.ctx.logger[level]({ streamid, ...details }, message),
      });
    } catch (err) {
      await this.end(stream, 'media_lost');
      throw mediaApiError(err);
    }
    const pipeline = stream.pipeline;
    pipeline.once('playable', () => void this.markLive(stream));
    pipeline.once('failed', () => void this.end(stream, 'media_lost'));
    pipeline.on('restarted', ({ attempt }) => this.ctx.logger.warn({ streamid, attempt }, 'live stream transcoder restarted'));
  }

  async stop(requester: Requester, streamid: string): Promise<{ stream: LiveStreamInfo }> {
    const stream = this.streams.get(streamid);
    if (!stream) {
      const doc = await this.store.get(streamid);
      if (doc && doc.publisher.uid === requester.uid) return { stream: liveStreamView(doc, this.hlsUrls) };
      throw streamNotFound();
    }
    const away = stream.publisherSocketId === null && stream.publisher.uid === requester.uid;
    if (stream.publisherSocketId !== requester.socketId && !away) throw notPublisher();
    return { stream: await this.end(stream, 'stopped') };
  }

  /**
   * The publisher's socket went away. A stream that never went live ends; a live one waits
   * LIVE_RESUME_GRACE for `live:resume` (a phone changing networks reconnects in seconds): its
   * transcoder stops without ending the playlists, which go on after a discontinuity.
   */
  publisherGone(socketId: string): void {
    for (const stream of [...this.streams.values()]) {
      if (stream.publisherSocketId !== socketId) continue;
      const graceMs = this.ctx.config.liveResumeGrace * 1000;
      if (!stream.listed || graceMs === 0) {
        void this.end(stream, 'publisher_left');
        continue;
      }
      stream.publisherSocketId = null;
      stream.dropPipeline();
      stream.room?.removePeer(stream.publisher.uid);
      stream.clearTimers();
      stream.graceTimer = setTimeout(() => void this.end(stream, 'publisher_left'), graceMs);
      this.ctx.logger.info({ streamid: stream.streamid, graceMs }, 'live stream publisher away; waiting for it to resume');
    }
  }

  /**
   * The publisher comes back (a new connection, on any process of any node): this process takes
   * the stream over (the one that ran it lets go, keeping the playlists open), and answers a send
   * transport; the publisher produces its tracks again and sends `live:start`.
   */
  async resume(requester: Requester, streamid: string): Promise<LiveCreateResult> {
    let stream = this.streams.get(streamid);
    if (!stream) {
      const doc = await this.store.get(streamid);
      if (!doc || doc.state === 'ended') throw streamNotFound();
      if (doc.publisher.uid !== requester.uid) throw notPublisher();
      if (!this.pool) throw mediaUnavailable(this.poolFailure ?? 'the media servers are starting; try again');
      // Fresh first, so no sweeper takes the record for a dead stream while it moves.
      await this.store.update(streamid, { node: this.ctx.nodeId, heartbeatAt: Date.now() });
      await this.releaseElsewhere(streamid);
      stream = this.streams.get(streamid) ?? (await this.adopt(doc, requester));
    }
    if (stream.publisher.uid !== requester.uid) throw notPublisher();
    stream.clearTimers();
    stream.publisherSocketId = requester.socketId;
    stream.dropPipeline();
    let media: Omit<LiveCreateResult, 'stream'>;
    try {
      media = stream.room ? await this.sendTransport(stream, stream.room) : await this.attachRoom(stream, await this.pool!.createRoom(mediaRoomId(streamid)));
    } catch (err) {
      await this.end(stream, 'media_lost');
      throw mediaApiError(err);
    }
    this.awaitTracks(stream);
    this.ctx.logger.info({ streamid }, 'live stream publisher resumed');
    return { stream: this.view(stream), ...media };
  }

  /** A stream another process ran, taken over from its record. */
  private async adopt(doc: LiveStreamDoc, requester: Requester): Promise<LiveStream> {
    const stream = new LiveStream(doc._id, doc.title, doc.visibility, doc.sessionid, doc.publisher, requester.socketId, doc.startedAt, doc.renditions, null);
    stream.listed = true;
    stream.state = doc.state;
    stream.liveAt = doc.liveAt;
    this.streams.set(doc._id, stream);
    this.refreshMetrics();
    return stream;
  }

  /** Another process asks for a stream this one runs: it lets go without ending it. */
  release(streamid: string): boolean {
    const stream = this.streams.get(streamid);
    if (!stream) return false;
    stream.clearTimers();
    stream.dropPipeline();
    stream.room?.close();
    stream.room = null;
    this.streams.delete(streamid);
    this.refreshMetrics();
    this.ctx.logger.info({ streamid }, 'live stream handed over to another process');
    return true;
  }

  /** Set by the gateway: asks every other process to release the stream, and waits for their answers. */
  releaseElsewhere: (streamid: string) => Promise<void> = async () => undefined;

  private publishing(requester: Requester, streamid: string): { stream: LiveStream; room: Room } {
    const stream = this.streams.get(streamid);
    if (!stream) throw streamNotFound();
    if (stream.publisherSocketId !== requester.socketId) throw notPublisher();
    if (!stream.room) throw mediaUnavailable('the stream lost its media server');
    return { stream, room: stream.room };
  }

  /** A public stream without a conversation gets an open, listed group as its chat. */
  private async createChatGroup(stream: LiveStream): Promise<string> {
    const name = `Live: ${stream.title}`.slice(0, 64);
    const doc = await this.ctx.sessions.createGroup(stream.publisher.uid, { name, visabletype: VisableType.Public, jointype: JoinType.Anyone });
    this.ctx.fanout.memberAdded(stream.publisher.uid, sessionView(doc, this.ctx.fileUrls));
    return doc._id.toHexString();
  }

  private async markLive(stream: LiveStream): Promise<void> {
    if (stream.state !== 'starting') return;
    stream.state = 'live';
    stream.liveAt = Date.now();
    this.ctx.logger.info({ streamid: stream.streamid, afterMs: stream.liveAt - stream.startedAt }, 'live stream playable');
    await this.store.update(stream.streamid, { state: 'live', liveAt: stream.liveAt }).catch(() => undefined);
    this.emitUpdate(stream.streamid, this.view(stream), stream.publisher.uid);
  }

  /** Ends the stream (once) and answers it as it ended. */
  async end(stream: LiveStream, reason: LiveEndReason): Promise<LiveStreamInfo> {
    if (stream.state === 'ended') return this.view(stream);
    stream.state = 'ended';
    stream.endedAt = Date.now();
    stream.endReason = reason;
    stream.viewers = 0;
    stream.clearTimers();
    this.streams.delete(stream.streamid);
    this.refreshMetrics();
    if (stream.pipeline) {
      await stream.pipeline.stop().catch((err) => this.ctx.logger.warn({ err, streamid: stream.streamid }, 'stopping the transcoder failed'));
    } else if (stream.listed) {
      // No transcoder ran at the end (the publisher away, or the media moving): close the playlists here.
      await this.endPlaylists(stream.streamid, stream.renditions);
    }
    stream.room?.close();
    stream.room = null;
    await this.slots.release(stream.streamid).catch((err) => this.ctx.logger.warn({ err }, "freeing the stream's place failed"));
    this.ctx.logger.info({ streamid: stream.streamid, reason }, 'live stream ended');
    if (!stream.listed) {
      await rm(this.dir(stream.streamid), { recursive: true, force: true }).catch(() => undefined);
      return this.view(stream);
    }
    stream.replayUntil = stream.endedAt + this.ctx.config.liveReplayTtl * 1000;
    await this.store
      .end(stream.streamid, { endedAt: stream.endedAt, endReason: reason, replayUntil: stream.replayUntil })
      .catch((err) => this.ctx.logger.warn({ err }, 'recording the stream end failed'));
    const ended = this.view(stream);
    this.emitUpdate(stream.streamid, ended, stream.publisher.uid);
    await this.announce(stream, 'ended');
    return ended;
  }

  private async announce(stream: LiveStream, event: 'started' | 'ended'): Promise<void> {
    if (!stream.sessionid) return;
    const shownFrom = stream.liveAt ?? stream.startedAt;
    const content = event === 'started' ? `is live: ${stream.title}` : `live stream ended, ${formatDuration((stream.endedAt ?? Date.now()) - shownFrom)}`;
    await postAnnouncement(this.ctx, {
      sessionid: stream.sessionid,
      senduid: stream.publisher.uid,
      nickname: stream.publisher.nickname,
      msgtype: MsgType.Live,
      content,
      uuid: `live:${stream.streamid}:${event}`,
      liveinfo: { streamid: stream.streamid, title: stream.title, event },
    }).catch((err) => this.ctx.logger.warn({ err, streamid: stream.streamid }, 'posting the live stream message failed'));
  }

  private view(stream: LiveStream): LiveStreamInfo {
    return liveStreamView(stream.doc(this.ctx.nodeId), this.hlsUrls);
  }

  private emitUpdate(streamid: string, stream: LiveStreamInfo, publisherUid: string): void {
    this.io.to(liveRoom(streamid)).to(userRoom(publisherUid)).emit('live:update', { stream });
  }

  // ---------- watching (any process) ----------

  /** Whether the user may watch: public streams anyone, the others the members of their conversation. */
  async canWatch(doc: LiveStreamDoc, uid: string, sessions?: string[]): Promise<boolean> {
    if (doc.visibility === 'public' || doc.publisher.uid === uid) return true;
    if (!doc.sessionid) return false;
    if (sessions?.includes(doc.sessionid)) return true;
    return this.ctx.sessions.isMember(doc.sessionid, uid);
  }

  /** The stream, if it exists and the user may watch it (else stream_not_found / not_member). */
  async watchable(streamid: string, uid: string, sessions?: string[]): Promise<LiveStreamDoc> {
    const doc = await this.store.get(streamid);
    if (!doc) throw streamNotFound();
    if (!(await this.canWatch(doc, uid, sessions))) throw notMember();
    return doc;
  }

  /** Streams going on that the user may watch (GET /api/live). */
  async listFor(uid: string): Promise<LiveStreamInfo[]> {
    const running = await this.store.listRunning(Date.now() - STALE_MS);
    const members = running.some((d) => d.visibility === 'members') ? new Set(await this.ctx.sessions.joinedIds(uid)) : new Set<string>();
    return running
      .filter((d) => d.visibility === 'public' || d.publisher.uid === uid || (d.sessionid && members.has(d.sessionid)))
      .map((d) => liveStreamView(d, this.hlsUrls));
  }

  /** Counts the sockets in the stream's viewer room (every process), records and announces it (`known`: its record, just read). */
  async recount(streamid: string, known?: LiveStreamDoc): Promise<number> {
    const sockets = await this.io.in(liveRoom(streamid)).fetchSockets();
    const viewers = sockets.length;
    const local = this.streams.get(streamid);
    if (local) local.viewers = viewers;
    const doc = known ?? (await this.store.get(streamid));
    if (!doc || doc.state === 'ended') return viewers;
    if (doc.viewers !== viewers) await this.store.update(streamid, { viewers });
    this.io.to(liveRoom(streamid)).to(userRoom(doc.publisher.uid)).emit('live:viewers', { streamid, viewers });
    return viewers;
  }

  // ---------- upkeep ----------

  private async heartbeat(): Promise<void> {
    await this.slots.refresh([...this.streams.keys()]).catch(() => undefined);
    const listed = [...this.streams.values()].filter((s) => s.listed);
    if (!listed.length) return;
    await this.ctx.db.liveStreams
      .updateMany({ _id: { $in: listed.map((s) => s.streamid) }, state: { $ne: 'ended' } }, { $set: { heartbeatAt: Date.now() } })
      .catch(() => undefined);
  }

  /**
   * Streams whose process died are ended (their playlists closed with ENDLIST); replays past
   * LIVE_REPLAY_TTL are removed with their files. Every process sweeps; they race harmlessly.
   */
  async sweep(now = Date.now()): Promise<void> {
    for (const doc of await this.store.listStale(now - STALE_MS)) {
      if (this.streams.has(doc._id)) continue;
      const ended = await this.store.end(doc._id, { endedAt: doc.heartbeatAt, endReason: 'media_lost', replayUntil: now + this.ctx.config.liveReplayTtl * 1000 });
      if (!ended) continue;
      await this.slots.release(doc._id).catch(() => undefined);
      if (HlsTranscoder.killOrphan(this.dir(doc._id))) this.ctx.logger.warn({ streamid: doc._id }, 'stopped the ffmpeg a dead process left behind');
      await this.endPlaylists(doc._id, doc.renditions);
      this.ctx.logger.warn({ streamid: doc._id, node: doc.node }, 'live stream ended: its process stopped refreshing it');
      this.emitUpdate(doc._id, liveStreamView({ ...doc, state: 'ended', endedAt: doc.heartbeatAt, endReason: 'media_lost' }, this.hlsUrls), doc.publisher.uid);
    }
    for (const doc of await this.store.listExpired(now)) {
      await rm(this.dir(doc._id), { recursive: true, force: true });
      await this.store.remove(doc._id);
      this.ctx.logger.info({ streamid: doc._id }, 'live stream replay removed');
    }
  }

  private async endPlaylists(streamid: string, renditions: { name: string }[]): Promise<void> {
    await Promise.all(renditions.map((r) => HlsTranscoder.endPlaylist(path.join(this.dir(streamid), r.name, 'index.m3u8')))).catch(() => undefined);
  }

  private refreshMetrics(): void {
    this.ctx.metrics.liveStreams.set(this.streams.size);
  }

  /** Shutdown: every stream ends (ENDLIST written, its "ended" message stored). */
  async close(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    await Promise.all([...this.streams.values()].map((s) => this.end(s, 'shutdown')));
  }
}
