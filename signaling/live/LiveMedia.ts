import type { Room } from '../../media';
import type { MediaRoomSupervisor } from '../media-rooms/MediaRoomSupervisor';
import type { TransportInfo } from '../protocol/calls';
import type { LiveCreateResult } from '../protocol/live';
import type { LiveDeps } from './LiveDeps';
import type { LiveEnding } from './LiveEnding';
import { mediaRoomId, streamOfMediaRoom } from './liveRooms';
import type { LiveStream } from './LiveStream';
import type { LiveStreams } from './LiveStreams';
import { RECONNECT_MS } from './liveTiming';

/** How many times a stream's media is moved to another worker before the stream ends. */
const RECREATE_ATTEMPTS = 10;

/** What the publisher needs to send its tracks: the router's capabilities and a send transport. */
export type PublisherMedia = Omit<LiveCreateResult, 'stream'>;

/**
 * A stream's media room: the publisher's send transport, its uplink quality reports, the wait for
 * its tracks, and, when the room's worker dies, a room on a live worker the publisher sends to again.
 */
export class LiveMedia {
  constructor(
    private readonly deps: LiveDeps,
    private readonly streams: LiveStreams,
    private readonly rooms: MediaRoomSupervisor,
    private readonly ending: LiveEnding,
  ) {
    rooms.on('roomLost', (roomId) => {
      const stream = this.streams.get(streamOfMediaRoom(roomId) ?? '');
      if (stream) void this.recover(stream);
    });
  }

  createRoom(streamid: string): Promise<Room> {
    return this.rooms.createRoom(mediaRoomId(streamid));
  }

  /** The stream's media room (new, or after its worker died): quality reports and the publisher's send transport. */
  async attachRoom(stream: LiveStream, room: Room): Promise<PublisherMedia> {
    stream.room = room;
    room.on('producerScore', ({ kind, score }) => {
      if (stream.publisherSocketId) this.deps.io.to(stream.publisherSocketId).emit('live:quality', { streamid: stream.streamid, kind, score });
    });
    return this.sendTransport(stream, room);
  }

  /** A fresh send transport for the publisher (its earlier transports, and their producers, closed). */
  async sendTransport(stream: LiveStream, room: Room): Promise<PublisherMedia> {
    room.removePeer(stream.publisher.uid);
    const transport: TransportInfo = await room.createWebRtcTransport(stream.publisher.uid, 'send');
    return { routerRtpCapabilities: room.rtpCapabilities, transport };
  }

  /** Waits for the publisher to start, or to send its tracks again (live:reconnectMedia, live:resume); else the stream ends. */
  awaitTracks(stream: LiveStream): void {
    if (stream.reconnectTimer) clearTimeout(stream.reconnectTimer);
    stream.reconnectTimer = setTimeout(() => {
      if (!stream.pipeline && this.streams.has(stream.streamid)) void this.ending.end(stream, 'media_lost');
    }, RECONNECT_MS);
  }

  /**
   * The stream's mediasoup worker died: the transcoder is stopped without ending the playlists, a
   * room on a live worker takes over, and the publisher is told to send its tracks again
   * (`live:reconnectMedia`, then `live:produce` and `live:start`); the playlists continue after a
   * discontinuity. A publisher that does not come back within RECONNECT_MS ends the stream.
   */
  private async recover(stream: LiveStream): Promise<void> {
    const { streamid } = stream;
    const { io, logger } = this.deps;
    stream.room = null;
    stream.dropPipeline();
    logger.warn({ streamid }, 'live stream media lost with its mediasoup worker; moving it');
    const outcome = await this.rooms.recreate(mediaRoomId(streamid), {
      attempts: RECREATE_ATTEMPTS,
      wanted: () => this.streams.has(streamid),
      use: async (room) => {
        const media = await this.attachRoom(stream, room);
        // A publisher that is away gets new media when it resumes.
        if (stream.publisherSocketId) {
          io.to(stream.publisherSocketId).emit('live:reconnectMedia', { streamid, ...media });
          this.awaitTracks(stream);
        }
        logger.info({ streamid, workerPid: room.worker.pid }, 'live stream media moved; waiting for the publisher');
      },
    });
    if (outcome === 'failed') await this.ending.end(stream, 'media_lost');
  }
}
