import type { LiveStreamDoc } from '../../storage/documents';
import type { LiveStreamStore } from '../../storage/LiveStreamStore';
import type { MediaRoomSupervisor } from '../media-rooms/MediaRoomSupervisor';
import type { LiveCreateResult } from '../protocol/live';
import type { Requester } from '../socket/requester';
import type { LiveDeps } from './LiveDeps';
import type { LiveEnding } from './LiveEnding';
import { NotPublisherError, StreamNotFoundError } from './liveErrors';
import type { LiveMedia, PublisherMedia } from './LiveMedia';
import { LiveStream } from './LiveStream';
import { isWhipStream } from './whip/whipConnection';
import type { LiveStreams } from './LiveStreams';

/**
 * A publisher that goes away and comes back: its stream waits LIVE_RESUME_GRACE, and whichever
 * process (of whichever node) it resumes on takes the stream over from the one that ran it.
 */
export class LiveHandover {
  constructor(
    private readonly deps: LiveDeps,
    private readonly streams: LiveStreams,
    private readonly store: LiveStreamStore,
    private readonly rooms: MediaRoomSupervisor,
    private readonly media: LiveMedia,
    private readonly ending: LiveEnding,
  ) {}

  /**
   * The publisher's socket went away. A stream that never went live ends; a live one waits
   * LIVE_RESUME_GRACE for `live:resume` (a phone changing networks reconnects in seconds): its
   * transcoder stops without ending the playlists, which go on after a discontinuity.
   */
  publisherGone(socketId: string): void {
    const { config, logger } = this.deps;
    for (const stream of this.streams.all()) {
      if (stream.publisherSocketId !== socketId) continue;
      const graceMs = config.liveResumeGrace * 1000;
      if (!stream.listed || graceMs === 0) {
        void this.ending.end(stream, 'publisher_left');
        continue;
      }
      stream.publisherSocketId = null;
      stream.dropPipeline();
      stream.room?.removePeer(stream.publisher.uid);
      stream.clearTimers();
      stream.graceTimer = setTimeout(() => void this.ending.end(stream, 'publisher_left'), graceMs);
      logger.info({ streamid: stream.streamid, graceMs }, 'live stream publisher away; waiting for it to resume');
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
      if (!doc || doc.state === 'ended') throw new StreamNotFoundError();
      if (doc.publisher.uid !== requester.uid) throw new NotPublisherError();
      this.rooms.requirePool();
      // Fresh first, so no sweeper takes the record for a dead stream while it moves.
      await this.store.update(streamid, { node: this.deps.nodeId, heartbeatAt: Date.now() });
      await this.deps.peers.releaseStream(streamid);
      stream = this.streams.get(streamid) ?? this.adopt(doc, requester);
    }
    if (stream.publisher.uid !== requester.uid) throw new NotPublisherError();
    // An encoder's stream (WHIP) is not taken over by a browser: it ends on its resource's DELETE.
    if (isWhipStream(stream)) throw new NotPublisherError();
    stream.clearTimers();
    stream.publisherSocketId = requester.socketId;
    stream.dropPipeline();
    let media: PublisherMedia;
    try {
      media = stream.room ? await this.media.sendTransport(stream, stream.room) : await this.media.attachRoom(stream, await this.media.createRoom(streamid));
    } catch (err) {
      await this.ending.end(stream, 'media_lost');
      throw err;
    }
    this.media.awaitTracks(stream);
    this.deps.logger.info({ streamid }, 'live stream publisher resumed');
    return { stream: this.streams.view(stream), ...media };
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
    this.deps.logger.info({ streamid }, 'live stream handed over to another process');
    return true;
  }

  /** A stream another process ran, taken over from its record. */
  private adopt(doc: LiveStreamDoc, requester: Requester): LiveStream {
    const stream = new LiveStream(doc._id, doc.title, doc.visibility, doc.sessionid, doc.publisher, requester.socketId, doc.startedAt, doc.renditions, null);
    stream.listed = true;
    stream.state = doc.state;
    stream.liveAt = doc.liveAt;
    this.streams.add(stream);
    return stream;
  }
}
