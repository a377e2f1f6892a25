import type { HlsPipeline, Room } from '../../media';
import type { LiveStreamDoc } from '../../storage/documents';
import type { LiveEndReason, LiveRendition, LiveState, LiveVisibility } from '../protocol/live';

/** A live stream this process runs: its publisher, its media room and its HLS pipeline. */
export class LiveStream {
  state: LiveState = 'starting';
  liveAt?: number;
  endedAt?: number;
  endReason?: LiveEndReason;
  replayUntil?: number;
  pipeline: HlsPipeline | null = null;
  /** Set once `live:start` listed it (the record exists in the database). */
  listed = false;
  viewers = 0;
  /** Real-time viewers may still join (LiveRtcViewers keeps it; listed as `webrtc`). */
  webrtc = false;
  /** While the publisher re-sends its tracks after the media moved (live:reconnectMedia). */
  reconnectTimer: NodeJS.Timeout | null = null;
  /** While the publisher's connection is away. */
  graceTimer: NodeJS.Timeout | null = null;

  /** Stops the transcoder without ending the playlists: a later one continues them. */
  dropPipeline(): void {
    this.pipeline?.abort();
    this.pipeline = null;
  }

  clearTimers(): void {
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (this.graceTimer) clearTimeout(this.graceTimer);
    this.reconnectTimer = this.graceTimer = null;
  }

  constructor(
    readonly streamid: string,
    readonly title: string,
    readonly visibility: LiveVisibility,
    /** A public stream gets its chat group on `live:start`. */
    public sessionid: string | undefined,
    readonly publisher: { uid: string; nickname: string },
    /**
     * The publisher's socket: only it negotiates. Null while the publisher is away (its connection
     * dropped): it has LIVE_RESUME_GRACE to come back with `live:resume`, on any process.
     */
    public publisherSocketId: string | null,
    readonly startedAt: number,
    readonly renditions: LiveRendition[],
    public room: Room | null,
  ) {}

  /** The stream's record (what GET /api/live lists, on any node). */
  doc(node: string): LiveStreamDoc {
    return {
      _id: this.streamid,
      ...(this.sessionid ? { sessionid: this.sessionid } : {}),
      visibility: this.visibility,
      title: this.title,
      publisher: this.publisher,
      node,
      state: this.state,
      startedAt: this.startedAt,
      ...(this.liveAt ? { liveAt: this.liveAt } : {}),
      ...(this.endedAt ? { endedAt: this.endedAt, endReason: this.endReason, replayUntil: this.replayUntil } : {}),
      renditions: this.renditions,
      viewers: this.viewers,
      // Every stream's pipeline makes posters (404 until the first one, or without video).
      poster: true,
      webrtc: this.webrtc,
      heartbeatAt: Date.now(),
    };
  }
}
