import type { LiveStreamStore } from '../../storage/LiveStreamStore';
import type { LiveDeps } from './LiveDeps';
import type { LiveHls } from './LiveHls';
import type { LivePlaces } from './LivePlaces';
import type { LiveStreams } from './LiveStreams';
import { HEARTBEAT_MS, STALE_MS } from './liveTiming';
import { liveStreamView } from './liveViews';

/**
 * Keeping the records true: this process's streams are refreshed (heartbeat), streams whose
 * process died are ended, and replays past LIVE_REPLAY_TTL are removed with their files.
 */
export class LiveUpkeep {
  private readonly timers: NodeJS.Timeout[];

  constructor(
    private readonly deps: LiveDeps,
    private readonly streams: LiveStreams,
    private readonly store: LiveStreamStore,
    private readonly places: LivePlaces,
    private readonly hls: LiveHls,
  ) {
    // Short replay lifetimes (tests, demos) are swept in time: at least every half lifetime.
    const sweepMs = Math.min(15_000, Math.max(1000, deps.config.liveReplayTtl * 500));
    this.timers = [
      setInterval(() => void this.heartbeat(), HEARTBEAT_MS).unref(),
      setInterval(() => void this.sweep().catch((err) => deps.logger.warn({ err }, 'sweeping live streams failed')), sweepMs).unref(),
    ];
  }

  private async heartbeat(): Promise<void> {
    await this.places.refresh(this.streams.ids()).catch(() => undefined);
    const listed = this.streams.all().filter((s) => s.listed);
    await this.store.heartbeat(listed.map((s) => s.streamid)).catch(() => undefined);
  }

  /**
   * Streams whose process died are ended (their playlists closed with ENDLIST); replays past
   * LIVE_REPLAY_TTL are removed with their files. Every process sweeps; they race harmlessly.
   */
  async sweep(now = Date.now()): Promise<void> {
    const { config, logger } = this.deps;
    for (const doc of await this.store.listStale(now - STALE_MS)) {
      if (this.streams.has(doc._id)) continue;
      const ended = await this.store.end(doc._id, { endedAt: doc.heartbeatAt, endReason: 'media_lost', replayUntil: now + config.liveReplayTtl * 1000 });
      if (!ended) continue;
      await this.places.release(doc._id).catch(() => undefined);
      if (this.hls.killOrphan(doc._id)) logger.warn({ streamid: doc._id }, 'stopped the ffmpeg a dead process left behind');
      await this.hls.endPlaylists(doc._id, doc.renditions);
      logger.warn({ streamid: doc._id, node: doc.node }, 'live stream ended: its process stopped refreshing it');
      this.streams.emitUpdate(
        doc._id,
        liveStreamView({ ...doc, state: 'ended', endedAt: doc.heartbeatAt, endReason: 'media_lost' }, this.streams.hlsUrls),
        doc.publisher.uid,
      );
    }
    for (const doc of await this.store.listExpired(now)) {
      await this.hls.remove(doc._id);
      await this.store.remove(doc._id);
      logger.info({ streamid: doc._id }, 'live stream replay removed');
    }
  }

  close(): void {
    for (const t of this.timers) clearInterval(t);
  }
}
