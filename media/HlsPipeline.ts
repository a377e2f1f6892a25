import { EventEmitter } from 'node:events';
import { HlsTranscoder } from './HlsTranscoder';
import { LlHlsPackager } from './LlHlsPackager';
import { HlsPosters } from './HlsPosters';
import type { HlsPipelineEvents, HlsPipelineMode, HlsPipelineOptions } from './HlsPipelineTypes';
import { probeH264Size } from './H264SizeProbe';
import { RtpTap } from './RtpTap';

/** Keyframe requests while the decoder has none yet, then at most this often when it asks. */
const KEYFRAME_START_MS = 500;
const KEYFRAME_MIN_GAP_MS = 1000;
/** How long the source's size is looked for (its first SPS) before the video is encoded anyway. */
const PROBE_MS = 3000;
/** Posters: this often by default, this high at most. */
const POSTER_SECONDS = 5;
const POSTER_HEIGHT = 360;

/**
 * A live stream's repackaging: its producers tapped to loopback RTP (RtpTap) and transcoded to
 * HLS (HlsTranscoder), the top rendition also low-latency (LlHlsPackager) and its posters taken from
 * its segments (HlsPosters). The publisher is asked for a keyframe as soon as ffmpeg listens, every
 * half second until the first segment is out, after every ffmpeg restart, and whenever ffmpeg's
 * decoder reports missing references (packet loss).
 */
export class HlsPipeline extends EventEmitter<HlsPipelineEvents> {
  private startTimer: NodeJS.Timeout | null = null;
  private lastKeyframeAt = 0;
  private closed = false;
  /** Copy mode: the encoder is asked for a keyframe every segment (they cut the copied segments). */
  private segmentTimer: NodeJS.Timeout | null = null;

  private constructor(
    readonly tap: RtpTap,
    readonly transcoder: HlsTranscoder,
    /** `copy`: the top rendition is the source's H.264 as sent; `encode`: every rendition encoded. */
    readonly mode: HlsPipelineMode,
    private readonly segmentSeconds: number,
    /** The low-latency packager of the top rendition and its tap, when asked for. */
    readonly ll: { tap: RtpTap; packager: LlHlsPackager } | null,
    /** Posters of the top rendition; none without video or when turned off. */
    private readonly posters: HlsPosters | null,
  ) {
    super();
  }

  static async start(options: HlsPipelineOptions): Promise<HlsPipeline> {
    const mode = await HlsPipeline.modeFor(options);
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
      copyTopVideo: mode === 'copy',
    });
    options.log?.('info', 'HLS pipeline starting', { mode, llHls: !!options.llHls });
    const ll = options.llHls ? await HlsPipeline.llPackager(options, mode).catch(() => null) : null;
    const top = options.renditions[0];
    const posterSeconds = options.posterSeconds ?? POSTER_SECONDS;
    const posters =
      tap.hasVideo && top && posterSeconds > 0
        ? new HlsPosters({ ffmpegPath: options.ffmpegPath, outDir: options.outDir, rendition: top.name, everySeconds: posterSeconds, height: POSTER_HEIGHT, nice: options.nice, log: options.log })
        : null;
    const pipeline = new HlsPipeline(tap, transcoder, mode, options.segmentSeconds, ll, posters);
    try {
      await transcoder.start();
      await tap.resume();
    } catch (err) {
      tap.close();
      ll?.tap.close();
      ll?.packager.abort();
      await transcoder.stop().catch(() => undefined);
      throw err;
    }
    pipeline.wire();
    return pipeline;
  }

  /** A tap of its own feeding the LL-HLS packager; none (logged) when it cannot start. */
  private static async llPackager(options: HlsPipelineOptions, mode: HlsPipelineMode): Promise<{ tap: RtpTap; packager: LlHlsPackager }> {
    const top = options.renditions[0];
    const ll = options.llHls;
    if (!top || !ll) throw new Error('no rendition for LL-HLS');
    const tap = await RtpTap.create({ router: options.router, producerIds: options.producerIds });
    const packager = new LlHlsPackager({
      ffmpegPath: options.ffmpegPath,
      outDir: ll.dir,
      sdp: tap.sdp(),
      hasAudio: tap.hasAudio,
      hasVideo: tap.hasVideo,
      height: top.height,
      videoBitrate: top.videoBitrate,
      copyVideo: mode === 'copy',
      segmentSeconds: options.segmentSeconds,
      partSeconds: ll.partSeconds,
      threads: options.threads,
      nice: options.nice,
      log: options.log,
    });
    try {
      await packager.start();
      await tap.resume();
    } catch (err) {
      options.log?.('warn', 'LL-HLS could not start; classic HLS only', { err: (err as Error).message });
      tap.close();
      packager.abort();
      throw err;
    }
    // Its failure leaves the classic playlists going.
    packager.on('failed', (err) => options.log?.('error', 'LL-HLS stopped', { err: err.message }));
    return { tap, packager };
  }

  /**
   * `copy` when the video is H.264 at the top rendition's height (its first SPS says so): that
   * rendition needs no decode and encode (less CPU, less delay). Else `encode`.
   */
  private static async modeFor(options: HlsPipelineOptions): Promise<HlsPipelineMode> {
    const top = options.renditions[0];
    if (options.copyH264 === false || !top) return 'encode';
    // Answers null at once for a producer that is not H.264 video (audio, VP8).
    for (const producerId of options.producerIds) {
      const size = await probeH264Size(options.router, producerId, PROBE_MS).catch(() => null);
      if (!size) continue;
      options.log?.('info', 'H.264 source size', { ...size, topHeight: top.height });
      return size.height === top.height ? 'copy' : 'encode';
    }
    return 'encode';
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
    // The packager's ffmpeg decodes on its own: it needs keyframes after its restarts and losses too.
    this.ll?.packager.on('keyframeNeeded', () => this.keyframe());
    this.ll?.packager.on('restarted', () => this.startupKeyframes());
    this.posters?.start();
    this.startupKeyframes();
    if (this.mode === 'copy') this.segmentTimer = setInterval(() => void this.requestKeyFrame(), this.segmentSeconds * 1000);
  }

  private startupKeyframes(): void {
    this.stopStartupKeyframes();
    void this.requestKeyFrame();
    let left = 20;
    this.startTimer = setInterval(() => {
      if (--left <= 0 || this.closed) this.stopStartupKeyframes();
      void this.requestKeyFrame();
    }, KEYFRAME_START_MS);
  }

  private stopStartupKeyframes(): void {
    if (this.startTimer) clearInterval(this.startTimer);
    this.startTimer = null;
  }

  private stopTimers(): void {
    this.stopStartupKeyframes();
    if (this.segmentTimer) clearInterval(this.segmentTimer);
    this.segmentTimer = null;
  }

  private keyframe(): void {
    const now = Date.now();
    if (this.closed || now - this.lastKeyframeAt < KEYFRAME_MIN_GAP_MS) return;
    this.lastKeyframeAt = now;
    void this.requestKeyFrame();
  }

  /** Through both taps: each consumer passes the publisher's next keyframe on only once it asked. */
  private async requestKeyFrame(): Promise<void> {
    await Promise.all([this.tap.requestKeyFrame(), this.ll?.tap.requestKeyFrame()]);
  }

  /**
   * Drops the pipeline without ending the playlists (its media went away with a mediasoup worker):
   * a new pipeline on the same folder continues them after a discontinuity.
   */
  abort(): void {
    if (this.closed) return;
    this.closed = true;
    this.stopTimers();
    this.posters?.stop();
    this.transcoder.abort();
    this.tap.close();
    this.ll?.packager.abort();
    this.ll?.tap.close();
  }

  /** Stops the tap and ends the playlists (ENDLIST). */
  async stop(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopTimers();
    this.posters?.stop();
    await Promise.all([this.transcoder.stop(), this.ll?.packager.stop()]);
    this.tap.close();
    this.ll?.tap.close();
  }
}
