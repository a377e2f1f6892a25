/**
 * Plays a live stream's HLS playlist in a <video>: hls.js where Media Source Extensions exist,
 * else the browser's own HLS (iPhone Safari). hls.js is tuned either for the classic 1 s segments
 * (1.5 s behind the edge) or, for the low-latency playlist, in its low-latency mode (parts,
 * blocking reload, the server's PART-HOLD-BACK as target); both catch up at up to 1.5x with little
 * back buffer. It is loaded on first use in a chunk of its own and recovers from network and media
 * errors by itself; a playlist that cannot be loaded at all (not written yet, or its signed URL
 * expired) is asked for again with a fresh URL.
 *
 * The URL's signed folder (`/hls/<exp>.<sig>/`) lives a few minutes (LIVE_HLS_URL_TTL): with
 * hls.js the player renews it halfway through its life and rewrites every later playlist and
 * segment request to the fresh folder, so playback never stops for it. The browser's own HLS
 * (iPhone Safari) cannot have its requests rewritten: it gets the fresh URL on its next source
 * reload, when the old one has expired (a short stall every few minutes).
 */
import type Hls from 'hls.js';
import type { ErrorData, HlsConfig } from 'hls.js';

export type PlayerKind = 'hls.js' | 'native';

/** A playlist URL and how long (seconds from now) its signed folder stays valid. */
export interface LiveSource {
  url: string;
  expiresIn?: number;
}

export interface LivePlayerOptions {
  /**
   * A freshly signed playlist URL (the caller fetches it, checking the viewer may still watch);
   * null: not known right now, ask again shortly; '': nothing to play any more.
   */
  source(): Promise<LiveSource | null | ''>;
  /** Something went wrong that retrying has not fixed yet (shown to the viewer, a catalogue key of web/src/i18n); '' once it plays. */
  onProblem?(message: string): void;
  /** The browser refused to start playing without a tap. */
  onBlocked?(): void;
  /** Play a low-latency (LL-HLS) playlist: hls.js in its low-latency mode. */
  lowLatency?: boolean;
  /**
   * The playlist failed this many times in a row before anything played: `onGiveUp` is called
   * (the caller tries another mode) and this player stops retrying. Unset: it retries for ever.
   */
  giveUpAfter?: number;
  onGiveUp?(): void;
}

const SHARED_CONFIG: Partial<HlsConfig> = {
  maxLiveSyncPlaybackRate: 1.5,
  backBufferLength: 6,
  maxBufferLength: 8,
  // hls.js otherwise buffers a low-bitrate replay up to 60 MB / 600 s ahead (a phone downloaded a
  // whole stream in seconds): a few segments ahead are enough, live or replay
  maxMaxBufferLength: 20,
  maxBufferSize: 4 * 1000 * 1000,
  // a playlist that is not there yet is retried below, with a fresh URL
  manifestLoadPolicy: {
    default: {
      maxTimeToFirstByteMs: 8000,
      maxLoadTimeMs: 10_000,
      timeoutRetry: { maxNumRetry: 2, retryDelayMs: 500, maxRetryDelayMs: 2000 },
      errorRetry: { maxNumRetry: 1, retryDelayMs: 1000, maxRetryDelayMs: 2000 },
    },
  },
};

/** The classic playlists (1 s segments, no parts). */
export const HLS_CONFIG: Partial<HlsConfig> = {
  ...SHARED_CONFIG,
  lowLatencyMode: false,
  // 1.5 s behind the newest segment's end: with 1 s segments about 2.5 s glass to player
  // (npm run bench -- hls), still a segment and a half of buffer against a late playlist.
  liveSyncDuration: 1.5,
  liveMaxLatencyDuration: 5,
};

/**
 * The low-latency playlist (parts of about 0.3 s, blocking reload): 0.9 s behind the edge, the
 * server's PART-HOLD-BACK (three parts), caught up at up to 1.5x. hls.js only speeds up within a
 * target duration of that; further behind (a slow start, a stall on a busy phone) it would stay
 * there, so past 3 s it jumps back to the edge (which needs a liveSyncDuration of our own beside it).
 */
export const LL_HLS_CONFIG: Partial<HlsConfig> = {
  ...SHARED_CONFIG,
  lowLatencyMode: true,
  liveSyncDuration: 0.9,
  liveMaxLatencyDuration: 3,
  maxBufferLength: 4,
};
const RELOAD_DELAY_MS = 2000;
/** A signed folder is renewed this far into its life; a failed renewal is tried again after RENEW_RETRY_MS. */
const RENEW_AT = 0.5;
const RENEW_RETRY_MS = 5000;
/** The signed folder of a stream's HLS URLs: `/api/live/<id>/hls/<exp>.<sig>/`. */
const SIGNED_FOLDER = /(\/api\/live\/[^/]+\/hls\/)([^/?#]+)(?=\/)/;
/** Two media errors this close together: swap the audio codec before recovering again (hls.js advice). */
const MEDIA_ERROR_WINDOW_MS = 3000;

let hlsModule: Promise<typeof import('hls.js')> | null = null;
function loadHls(): Promise<typeof import('hls.js')> {
  hlsModule ??= import('hls.js').catch((error: unknown) => {
    hlsModule = null;
    throw error;
  });
  return hlsModule;
}

export class LivePlayer {
  private hls: Hls | null = null;
  private reloadTimer: ReturnType<typeof setTimeout> | undefined;
  private renewTimer: ReturnType<typeof setTimeout> | undefined;
  /** The newest signed folder (`<exp>.<sig>`): every hls.js request goes there. */
  private folder: string | null = null;
  private lastMediaError = 0;
  /** Playlist failures in a row before anything played (giveUpAfter). */
  private failures = 0;
  private played = false;
  private destroyed = false;
  kind: PlayerKind | null = null;

  constructor(
    private readonly video: HTMLVideoElement,
    private readonly options: LivePlayerOptions,
  ) {}

  /** Starts playing (muted autoplay is allowed everywhere; a refused play() is the caller's cue for a tap). */
  async start(): Promise<void> {
    const { default: HlsClass } = await loadHls();
    if (this.destroyed) return;
    if (HlsClass.isSupported()) {
      this.kind = 'hls.js';
      this.attachHls(HlsClass);
      await this.reload();
    } else if (this.video.canPlayType('application/vnd.apple.mpegurl')) {
      this.kind = 'native';
      this.video.addEventListener('error', this.onNativeError);
      this.video.addEventListener('playing', this.onNativePlaying);
      await this.reload();
    } else {
      this.options.onProblem?.('live.player.unsupported');
    }
  }

  /**
   * Seconds behind live. Two estimates, both short of the truth: the frame's
   * EXT-X-PROGRAM-DATE-TIME against now (the server stamps it once the segment is under way, after
   * capture and encoding began) and the distance to the playlist's live edge (blind to everything
   * before the segment was listed); the larger one is the closer.
   */
  latency(): number | null {
    const video = this.video;
    let byDate: number | null = null;
    let byEdge: number | null = null;
    if (this.hls) {
      const date = this.hls.playingDate;
      if (date) byDate = (Date.now() - date.getTime()) / 1000;
      const latency = this.hls.latency;
      if (Number.isFinite(latency) && latency > 0) byEdge = latency;
    } else if (this.kind === 'native') {
      const start = (video as HTMLVideoElement & { getStartDate?: () => Date }).getStartDate?.().getTime();
      if (start && Number.isFinite(start)) byDate = (Date.now() - start) / 1000 - video.currentTime;
      const { seekable } = video;
      if (seekable.length) byEdge = seekable.end(seekable.length - 1) - video.currentTime;
    }
    if (byDate === null && byEdge === null) return null;
    return Math.max(0, byDate ?? 0, byEdge ?? 0);
  }

  /** Back to the live edge after falling behind (a paused tab, a stall). */
  goLive(): void {
    const target = this.hls?.liveSyncPosition ?? (this.video.seekable.length ? this.video.seekable.end(this.video.seekable.length - 1) - 2 : null);
    if (target !== null && Number.isFinite(target)) this.video.currentTime = target;
    this.play();
  }

  destroy(): void {
    this.destroyed = true;
    clearTimeout(this.reloadTimer);
    clearTimeout(this.renewTimer);
    this.hls?.destroy();
    this.hls = null;
    this.video.removeEventListener('error', this.onNativeError);
    this.video.removeEventListener('playing', this.onNativePlaying);
    if (this.kind === 'native') {
      this.video.removeAttribute('src');
      this.video.load();
    }
  }

  private async fresh(): Promise<LiveSource | null | ''> {
    try {
      return await this.options.source();
    } catch {
      return null;
    }
  }

  private async reload(): Promise<void> {
    clearTimeout(this.reloadTimer);
    const source = await this.fresh();
    if (this.destroyed) return;
    if (source === null) {
      this.scheduleReload();
      return;
    }
    // '' : there is nothing to play (the replay is gone, or the viewer may no longer watch); the caller says so
    if (!source) return;
    this.useFolder(source);
    if (this.hls) this.hls.loadSource(source.url);
    else {
      this.video.src = source.url;
      this.play();
    }
  }

  /** Takes the source's signed folder for every later request, and plans its renewal (hls.js only). */
  private useFolder(source: LiveSource): void {
    this.folder = SIGNED_FOLDER.exec(source.url)?.[2] ?? null;
    clearTimeout(this.renewTimer);
    if (this.kind !== 'hls.js' || !source.expiresIn || this.destroyed) return;
    this.renewTimer = setTimeout(() => void this.renew(), Math.max(1000, source.expiresIn * 1000 * RENEW_AT));
  }

  /** A fresh signed folder while the current one is still valid: playback goes on, later requests use it. */
  private async renew(): Promise<void> {
    const source = await this.fresh();
    if (this.destroyed) return;
    if (source === null) {
      this.renewTimer = setTimeout(() => void this.renew(), RENEW_RETRY_MS);
      return;
    }
    // '' : no longer allowed (or nothing to play): the current folder runs out and access ends
    if (source) this.useFolder(source);
  }

  /** A playlist or segment URL moved to the newest signed folder. */
  private rewrite(url: string): string {
    const folder = this.folder;
    return folder ? url.replace(SIGNED_FOLDER, (_, prefix: string) => `${prefix}${folder}`) : url;
  }

  private play(): void {
    this.video.play().catch((error: unknown) => {
      if (error instanceof DOMException && error.name === 'NotAllowedError') this.options.onBlocked?.();
    });
  }

  private scheduleReload(): void {
    clearTimeout(this.reloadTimer);
    if (!this.destroyed) this.reloadTimer = setTimeout(() => void this.reload(), RELOAD_DELAY_MS);
  }

  private onHlsError(HlsClass: typeof Hls, data: ErrorData): void {
    if (!data.fatal || !this.hls) return;
    const { ErrorTypes, ErrorDetails } = HlsClass;
    if (data.type === ErrorTypes.MEDIA_ERROR) {
      const now = Date.now();
      if (now - this.lastMediaError < MEDIA_ERROR_WINDOW_MS) this.hls.swapAudioCodec();
      this.lastMediaError = now;
      this.hls.recoverMediaError();
      return;
    }
    if (data.type === ErrorTypes.NETWORK_ERROR) {
      const playlistGone =
        data.details === ErrorDetails.MANIFEST_LOAD_ERROR ||
        data.details === ErrorDetails.MANIFEST_LOAD_TIMEOUT ||
        data.details === ErrorDetails.LEVEL_LOAD_ERROR ||
        data.response?.code === 403;
      if (playlistGone && this.gaveUp()) return;
      this.options.onProblem?.('live.player.reconnecting');
      if (playlistGone) this.scheduleReload();
      else {
        // segments failed (a network drop): carry on loading where it stopped
        clearTimeout(this.reloadTimer);
        this.reloadTimer = setTimeout(() => this.hls?.startLoad(), RELOAD_DELAY_MS / 2);
      }
      return;
    }
    // anything else fatal: start over with a new player
    this.options.onProblem?.('live.player.reconnecting');
    this.hls.destroy();
    this.attachHls(HlsClass);
    this.scheduleReload();
  }

  private attachHls(HlsClass: typeof Hls): void {
    const hls = new HlsClass({
      ...(this.options.lowLatency ? LL_HLS_CONFIG : HLS_CONFIG),
      // hls.js resolves playlist and segment URLs against the folder it first loaded: every request
      // goes to the newest signed folder instead (renewed while playing)
      xhrSetup: (xhr, url) => xhr.open('GET', this.rewrite(url), true),
    });
    this.hls = hls;
    hls.on(HlsClass.Events.ERROR, (_event, data) => this.onHlsError(HlsClass, data));
    hls.on(HlsClass.Events.FRAG_BUFFERED, () => (this.played = true));
    hls.on(HlsClass.Events.MANIFEST_PARSED, () => {
      this.options.onProblem?.('');
      this.play();
    });
    hls.attachMedia(this.video);
  }

  /** One more failure before playing: true (and onGiveUp called) once there were giveUpAfter of them. */
  private gaveUp(): boolean {
    const limit = this.options.giveUpAfter;
    if (this.played || !limit || ++this.failures < limit) return false;
    this.destroy();
    this.options.onGiveUp?.();
    return true;
  }

  private readonly onNativeError = (): void => {
    if (this.gaveUp()) return;
    this.options.onProblem?.('live.player.reconnecting');
    this.scheduleReload();
  };

  private readonly onNativePlaying = (): void => {
    this.played = true;
    this.options.onProblem?.('');
  };
}
