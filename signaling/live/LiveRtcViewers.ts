import type { types as ms } from 'mediasoup';
import type { Room } from '../../media';
import type { LiveStreamStore } from '../../storage/LiveStreamStore';
import type { LiveRtcConnectPayload, LiveRtcConsumePayload, LiveRtcConsumer, LiveRtcWatchResult } from '../protocol/live';
import type { Requester } from '../socket/requester';
import type { LiveDeps } from './LiveDeps';
import { WebrtcFullError, WebrtcUnavailableError } from './liveRtcErrors';
import type { LiveStream } from './LiveStream';
import type { LiveStreams } from './LiveStreams';
import type { LiveWatching } from './LiveWatching';

/** One socket watching a stream in real time: its peer in the stream's room and its consumers. */
interface RtcViewer {
  room: Room;
  consumerIds: string[];
}

const ok = { ok: true } as const;

/** The viewer's peer id in the stream's media room (the publisher's is its uid). */
function peerOf(socketId: string): string {
  return `rtc:${socketId}`;
}

/**
 * Real-time viewing over WebRTC (S27) of the streams this process runs: a viewer's receive
 * transport and consumers on the stream's own media room (the node's WebRtcServer), up to
 * LIVE_WEBRTC_VIEWERS per stream. The stream's `webrtc` flag says whether a place is left; a viewer
 * leaving (or its socket going, here or on another process) frees its place. Viewers are known by
 * their socket id, whichever process holds the socket (LiveRtcRouter forwards their requests here).
 */
export class LiveRtcViewers {
  /** streamid -> socket id -> viewer. */
  private readonly viewers = new Map<string, Map<string, RtcViewer>>();

  constructor(
    private readonly deps: LiveDeps,
    private readonly streams: LiveStreams,
    private readonly store: LiveStreamStore,
    private readonly watching: LiveWatching,
  ) {}

  /** `live:watchRtc`: a receive transport for this socket (a repeated request starts over). */
  async watch(requester: Requester, streamid: string): Promise<LiveRtcWatchResult> {
    await this.allowed(requester, streamid);
    const limit = this.deps.config.liveWebrtcViewers;
    const stream = this.streams.get(streamid);
    if (!stream) throw new WebrtcUnavailableError('the stream is not sent from this server; watch it over HLS');
    const room = stream.room;
    if (stream.state === 'ended' || !room || room.closed) throw new WebrtcUnavailableError('the stream is not sending right now; watch it over HLS');
    const here = this.current(stream);
    const socketId = requester.socketId;
    if (!here.has(socketId) && here.size >= limit) throw new WebrtcFullError();
    const peerId = peerOf(socketId);
    room.removePeer(peerId);
    // The place is held while the transport is made, so two viewers never take the last one both.
    here.set(socketId, { room, consumerIds: [] });
    try {
      const transport = await room.createWebRtcTransport(peerId, 'recv');
      return { routerRtpCapabilities: room.rtpCapabilities, transport };
    } catch (err) {
      here.delete(socketId);
      throw err;
    } finally {
      await this.refresh(stream);
    }
  }

  /** Whether the requester may watch the stream in real time at all (membership, and real time on). */
  async allowed(requester: Requester, streamid: string): Promise<void> {
    await this.watching.watchable(streamid, requester.uid, requester.sessions);
    if (this.deps.config.liveWebrtcViewers <= 0) throw new WebrtcUnavailableError('real-time viewing is off on this server; watch the stream over HLS');
  }

  /** Whether this process runs the stream (its real-time viewers are served here). */
  runs(streamid: string): boolean {
    return this.streams.get(streamid) !== undefined;
  }

  async connect(requester: Requester, payload: LiveRtcConnectPayload): Promise<typeof ok> {
    const { room } = this.viewer(requester.socketId, payload.streamid);
    await room.connectTransport(peerOf(requester.socketId), payload.transportId, payload.dtlsParameters as ms.DtlsParameters);
    return ok;
  }

  /** Consumers of every track the stream sends, paused until `live:watchRtcResume`. */
  async consume(requester: Requester, payload: LiveRtcConsumePayload): Promise<{ consumers: LiveRtcConsumer[] }> {
    const viewer = this.viewer(requester.socketId, payload.streamid);
    const peerId = peerOf(requester.socketId);
    const consumers: LiveRtcConsumer[] = [];
    for (const producer of viewer.room.producers(peerId)) {
      const record = await viewer.room.consume(peerId, producer.producerId, payload.rtpCapabilities as ms.RtpCapabilities);
      viewer.consumerIds.push(record.consumerId);
      consumers.push({ consumerId: record.consumerId, producerId: record.producerId, kind: record.kind, rtpParameters: { ...record.rtpParameters } });
    }
    if (!consumers.length) throw new WebrtcUnavailableError('the stream has no tracks right now; watch it over HLS');
    return { consumers };
  }

  async resume(requester: Requester, streamid: string): Promise<typeof ok> {
    const viewer = this.viewer(requester.socketId, streamid);
    for (const consumerId of viewer.consumerIds) await viewer.room.resumeConsumer(peerOf(requester.socketId), consumerId);
    return ok;
  }

  /** `live:unwatchRtc`: the transport closes and the place is freed. */
  async unwatch(requester: Requester, streamid: string): Promise<typeof ok> {
    await this.release(requester.socketId, streamid);
    return ok;
  }

  /** A viewer's socket went away (on this process or another): its places are freed. */
  socketGone(socketId: string): void {
    for (const [streamid, here] of this.viewers) {
      if (here.has(socketId)) void this.release(socketId, streamid).catch((err) => this.deps.logger.warn({ err, streamid }, 'releasing a real-time viewer failed'));
    }
  }

  /** The socket ids of every viewer served here. */
  socketIds(): Set<string> {
    const ids = new Set<string>();
    for (const here of this.viewers.values()) for (const socketId of here.keys()) ids.add(socketId);
    return ids;
  }

  private async release(socketId: string, streamid: string): Promise<void> {
    const here = this.viewers.get(streamid);
    const viewer = here?.get(socketId);
    if (!here || !viewer) return;
    here.delete(socketId);
    if (!viewer.room.closed) viewer.room.removePeer(peerOf(socketId));
    if (!here.size) this.viewers.delete(streamid);
    const stream = this.streams.get(streamid);
    if (stream) await this.refresh(stream);
  }

  /** The stream's viewers on its current room (those of a room lost with its worker are gone). */
  private current(stream: LiveStream): Map<string, RtcViewer> {
    let here = this.viewers.get(stream.streamid);
    if (!here) this.viewers.set(stream.streamid, (here = new Map()));
    for (const [socketId, viewer] of here) if (viewer.room !== stream.room || viewer.room.closed) here.delete(socketId);
    return here;
  }

  private viewer(socketId: string, streamid: string): RtcViewer {
    const viewer = this.viewers.get(streamid)?.get(socketId);
    const stream = this.streams.get(streamid);
    if (!viewer || !stream || viewer.room !== stream.room || viewer.room.closed) {
      throw new WebrtcUnavailableError('not watching this stream in real time (ask live:watchRtc first)');
    }
    return viewer;
  }

  /** Keeps the stream's `webrtc` flag (record and viewers) true exactly while a place is left. */
  private async refresh(stream: LiveStream): Promise<void> {
    const open = stream.state !== 'ended' && this.current(stream).size < this.deps.config.liveWebrtcViewers;
    if (stream.webrtc === open) return;
    stream.webrtc = open;
    if (!stream.listed || stream.state === 'ended') return;
    await this.store.update(stream.streamid, { webrtc: open }).catch((err) => this.deps.logger.warn({ err }, 'recording real-time room failed'));
    this.streams.emitUpdate(stream.streamid, this.streams.view(stream), stream.publisher.uid);
  }
}
