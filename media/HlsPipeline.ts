import { EventEmitter } from 'node:events';
import { HlsTranscoder } from './HlsTranscoder';
import type { HlsPipelineEvents, HlsPipelineOptions } from './HlsPipelineTypes';
import { RtpTap } from './RtpTap';

/** Keyframe requests while the decoder has none yet, then at most this often when it asks. */
const KEYFRAME_START_MS = 500;
const KEYFRAME_MIN_GAP_MS = 1000;

/**
 * A live stream's repackaging: its producers tapped to loopback RTP (RtpTap) and transcoded to
 * HLS (HlsTranscoder). The publisher is asked for a keyframe as soon as ffmpeg listens, every
 * half second until the first segment is out, after every ffmpeg restart, and whenever ffmpeg's
 * decoder reports missing references (packet loss).
 */
export class HlsPipeline extends EventEmitter<HlsPipelineEvents> {
  private startTimer: NodeJS.Timeout | null = null;
  private lastKeyframeAt = 0;
  private closed = false;

  private constructor(
    readonly tap: RtpTap,
    readonly transcoder: HlsTranscoder,
  ) {
    super();
  }

  static async start(options: HlsPipelineOptions): Promise<HlsPipeline> {
    const tap = await RtpTap.create({ router: options.router, producerIds: options.producerIds });
    const transcoder = new HlsTranscoder({
      ffmpegPath: options.ffmpegPath,
      outDir: options.outDir,
      sdp: tap.sdp(),
      hasAudio: tap.hasAudio,
      hasVideo: tap.hasVideo,
      renditions: options.renditions,
      segmentSeconds: options.segmentSeconds,
      threads: options.threads,
      nice: options.nice,
      log: options.log,
    });
    const pipeline = new HlsPipeline(tap, transcoder);
    try {
      await transcoder.start();
      await tap.resume();
    } catch (err) {
      tap.close();
      await transcoder.stop().catch(() => undefined);
      throw err;
    }
    pipeline.wire();
    return pipeline;
  }

  private wire(): void {
    const t = this.transcoder;
    t.on('playable', () => {
      this.stopStartupKeyframes();
      this.emit('playable');
    });
    t.on('keyframeNeeded', () => this.keyframe());
    t.on('restarted', ({ attempt }) => {
      this.startupKeyframes();
      this.emit('restarted', { attempt });
    });
    t.on('failed', (err) => this.emit('failed', err));
    this.startupKeyframes();
  }

  private startupKeyframes(): void {
    this.stopStartupKeyframes();
    void this.tap.requestKeyFrame();
    let left = 20;
    this.startTimer = setInterval(() => {
      if (--left <= 0 || this.closed) this.stopStartupKeyframes();
      void this.tap.requestKeyFrame();
    }, KEYFRAME_START_MS);
  }

  private stopStartupKeyframes(): void {
    if (this.startTimer) clearInterval(this.startTimer);
    this.startTimer = null;
  }

  private keyframe(): void {
    const now = Date.now();
    if (this.closed || now - this.lastKeyframeAt < KEYFRAME_MIN_GAP_MS) return;
    this.lastKeyframeAt = now;
    void this.tap.requestKeyFrame();
  }

  /**
   * Drops the pipeline without ending the playlists (its media went away with a mediasoup worker):
   * a new pipeline on the same folder continues them after a discontinuity.
   */
  abort(): void {
    if (this.closed) return;
    this.closed = true;
    this.stopStartupKeyframes();
    this.transcoder.abort();
    this.tap.close();
  }

  /** Stops the tap and ends the playlists (ENDLIST). */
  async stop(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopStartupKeyframes();
    await this.transcoder.stop();
    this.tap.close();
  }
}
