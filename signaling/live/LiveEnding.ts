import type { LiveStreamStore } from '../../storage/LiveStreamStore';
import type { LiveEndReason, LiveStreamInfo } from '../protocol/live';
import type { Requester } from '../socket/requester';
import type { LiveAnnouncer } from './LiveAnnouncer';
import type { LiveDeps } from './LiveDeps';
import { NotPublisherError, StreamNotFoundError } from './liveErrors';
import type { LiveHls } from './LiveHls';
import type { LivePlaces } from './LivePlaces';
import type { LiveStream } from './LiveStream';
import type { LiveStreams } from './LiveStreams';
import { liveStreamView } from './liveViews';

/**
 * How a stream ends, once: its transcoder stops (ENDLIST written), its room closes, its places
 * are freed, and a listed one stays as a replay for LIVE_REPLAY_TTL, announced as ended.
 */
export class LiveEnding {
  constructor(
    private readonly deps: LiveDeps,
    private readonly streams: LiveStreams,
    private readonly store: LiveStreamStore,
    private readonly places: LivePlaces,
    private readonly hls: LiveHls,
    private readonly announcer: LiveAnnouncer,
  ) {}

  /** `live:stop`: the publisher (its connection, or the user while it is away) ends the stream. */
  async stop(requester: Requester, streamid: string): Promise<{ stream: LiveStreamInfo }> {
    const stream = this.streams.get(streamid);
    if (!stream) {
      const doc = await this.store.get(streamid);
      if (doc && doc.publisher.uid === requester.uid) return { stream: liveStreamView(doc, this.streams.hlsUrls) };
      throw new StreamNotFoundError();
    }
    const away = stream.publisherSocketId === null && stream.publisher.uid === requester.uid;
    if (stream.publisherSocketId !== requester.socketId && !away) throw new NotPublisherError();
    return { stream: await this.end(stream, 'stopped') };
  }

  /** Ends the stream (once) and answers it as it ended. */
  async end(stream: LiveStream, reason: LiveEndReason): Promise<LiveStreamInfo> {
    const { logger, config } = this.deps;
    if (stream.state === 'ended') return this.streams.view(stream);
    stream.state = 'ended';
    stream.endedAt = Date.now();
    stream.endReason = reason;
    stream.viewers = 0;
    stream.clearTimers();
    this.streams.delete(stream.streamid);
    if (stream.pipeline) {
      await stream.pipeline.stop().catch((err) => logger.warn({ err, streamid: stream.streamid }, 'stopping the transcoder failed'));
    } else if (stream.listed) {
      // No transcoder ran at the end (the publisher away, or the media moving): close the playlists here.
      await this.hls.endPlaylists(stream.streamid, stream.renditions);
    }
    stream.room?.close();
    stream.room = null;
    await this.places.release(stream.streamid).catch((err) => logger.warn({ err }, "freeing the stream's place failed"));
    logger.info({ streamid: stream.streamid, reason }, 'live stream ended');
    if (!stream.listed) {
      await this.hls.remove(stream.streamid).catch(() => undefined);
      return this.streams.view(stream);
    }
    stream.replayUntil = stream.endedAt + config.liveReplayTtl * 1000;
    await this.store
      .end(stream.streamid, { endedAt: stream.endedAt, endReason: reason, replayUntil: stream.replayUntil })
      .catch((err) => logger.warn({ err }, 'recording the stream end failed'));
    const ended = this.streams.view(stream);
    this.streams.emitUpdate(stream.streamid, ended, stream.publisher.uid);
    await this.announcer.announce(stream, 'ended');
    return ended;
  }

  /** Shutdown: every stream ends (ENDLIST written, its "ended" message stored). */
  async endAll(): Promise<void> {
    await Promise.all(this.streams.all().map((s) => this.end(s, 'shutdown')));
  }
}
