/**
 * Plays a live stream in one of three modes (S27): real time over WebRTC, low-latency HLS, or
 * classic HLS. Without a choice of the viewer it takes the best the stream offers: real time while
 * the stream says `webrtc`, else LL-HLS when it has an `llHlsUrl`, else HLS. A mode that fails
 * falls to the next one by itself: real time refused (full, not offered here), not connected
 * within a few seconds or dropped later goes to LL-HLS (or HLS); an LL-HLS playlist that never
 * loads goes to HLS. A fallen mode is not tried again by itself (no flapping); the viewer may pick
 * any mode again (`choose`). An ended stream's replay is classic HLS.
 */
import { LivePlayer, type LivePlayerOptions, type LiveSource, type PlayerKind } from './livePlayer';
import { LiveRtcViewer, type LiveRtcDebug, type LiveRtcViewerOptions } from './liveRtcViewer';
import type { LiveRequest } from './livePublisherTypes';
import { LIVE_MODES, type LiveMode, type LiveSources } from './liveModeTypes';

export type { LiveMode, LiveSources } from './liveModeTypes';
export { LIVE_MODES } from './liveModeTypes';

/** How often the real-time delay estimate is refreshed. */
const DELAY_EVERY_MS = 1000;
/** LL-HLS playlist failures in a row (before it played) after which classic HLS takes over. */
const LL_GIVE_UP_AFTER = 3;

export interface LiveModePlayerOptions extends Omit<LivePlayerOptions, 'source' | 'lowLatency' | 'giveUpAfter' | 'onGiveUp'> {
  streamid: string;
  /** Whether real time may be tried now (the stream is live and says `webrtc`). */
  realTime(): boolean;
  /** Whether the stream offers a low-latency playlist now (`llHlsUrl`, live). */
  lowLatency(): boolean;
  /** The viewer's own choice, if any: tried first when the stream offers it. */
  preferred?(): LiveMode | null;
  /**
   * Freshly signed playlist URLs (the caller fetches them, checking the viewer may still watch);
   * null: not known right now, ask again shortly; '': nothing to play any more.
   */
  sources(): Promise<LiveSources | null | ''>;
  request: LiveRequest;
  rtc?: Omit<LiveRtcViewerOptions, 'onLost'>;
  /** The mode changed (at the start, on a fallback, or on the viewer's choice). */
  onMode?(mode: LiveMode): void;
}

export class LiveModePlayer {
  mode: LiveMode | null = null;
  private rtc: LiveRtcViewer | null = null;
  private hls: LivePlayer | null = null;
  private rtcDelay: number | null = null;
  private delayTimer: ReturnType<typeof setInterval> | undefined;
  /** Modes that failed by themselves: not tried again unless the viewer picks them. */
  private readonly failed = new Set<LiveMode>();
  /** Bumped on every switch: work of an older switch that finishes late is dropped. */
  private generation = 0;
  private destroyed = false;

  constructor(
    private readonly video: HTMLVideoElement,
    private readonly options: LiveModePlayerOptions,
  ) {}

  /** What plays: 'webrtc', or the HLS player's kind. */
  get kind(): PlayerKind | 'webrtc' | null {
    return this.mode === 'rtc' ? 'webrtc' : (this.hls?.kind ?? null);
  }

  /** Modes the stream offers now (classic HLS always; the mode playing too, though its own place fills real time). */
  available(): LiveMode[] {
    const modes: LiveMode[] = [];
    if (this.mode === 'rtc' || this.options.realTime()) modes.push('rtc');
    if (this.mode === 'llhls' || this.options.lowLatency()) modes.push('llhls');
    modes.push('hls');
    return modes;
  }

  async start(): Promise<void> {
    const offered = this.available();
    const preferred = this.options.preferred?.() ?? null;
    await this.play(preferred && offered.includes(preferred) ? preferred : offered[0]!);
  }

  /** The viewer picks a mode: it plays from now on (a failure still falls back by itself). */
  async choose(mode: LiveMode): Promise<void> {
    if (this.destroyed || mode === this.mode) return;
    this.failed.delete(mode);
    await this.play(mode);
  }

  /** Seconds behind live: the real-time estimate (getStats), or the HLS player's. */
  latency(): number | null {
    return this.mode === 'rtc' ? this.rtcDelay : (this.hls?.latency() ?? null);
  }

  /** What the real-time delay estimate saw last (null unless playing in real time), for the debug hook. */
  rtcDebug(): LiveRtcDebug | null {
    return this.mode === 'rtc' ? (this.rtc?.debug ?? null) : null;
  }

  /** Back to the live edge (HLS; real time is always there). */
  goLive(): void {
    this.hls?.goLive();
  }

  /** Classic HLS from now on (a stream that ended: its replay). */
  async toHls(): Promise<void> {
    if (this.mode === 'hls') return;
    await this.play('hls');
  }

  destroy(): void {
    this.destroyed = true;
    this.generation++;
    this.stopAll();
  }

  /** Plays `mode`, or the next one the stream offers when it fails. */
  private async play(mode: LiveMode): Promise<void> {
    if (this.destroyed) return;
    const generation = ++this.generation;
    this.stopAll();
    if (mode === 'rtc') {
      if (await this.startRtc(generation)) return;
      if (generation !== this.generation) return;
      this.failed.add('rtc');
      await this.play(this.next('rtc'));
      return;
    }
    this.setMode(mode);
    const lowLatency = mode === 'llhls';
    const player = new LivePlayer(this.video, {
      ...this.options,
      lowLatency,
      source: () => this.source(lowLatency, generation),
      giveUpAfter: lowLatency ? LL_GIVE_UP_AFTER : undefined,
      onGiveUp: () => this.fallBack('llhls', generation),
    });
    this.hls = player;
    await player.start();
  }

  /** The mode after `mode` that the stream offers and that has not failed (classic HLS at last). */
  private next(mode: LiveMode): LiveMode {
    const offered = this.available();
    return LIVE_MODES.slice(LIVE_MODES.indexOf(mode) + 1).find((m) => offered.includes(m) && !this.failed.has(m)) ?? 'hls';
  }

  private fallBack(mode: LiveMode, generation: number): void {
    if (generation !== this.generation || this.destroyed) return;
    this.failed.add(mode);
    void this.play(this.next(mode));
  }

  private async source(lowLatency: boolean, generation: number): Promise<LiveSource | null | ''> {
    const sources = await this.options.sources();
    if (!sources || !lowLatency) return sources ? { url: sources.hls, expiresIn: sources.expiresIn } : sources;
    if (sources.llHls) return { url: sources.llHls, expiresIn: sources.expiresIn };
    // the stream no longer offers LL-HLS (it ended, the server stopped packaging it): classic HLS
    queueMicrotask(() => this.fallBack('llhls', generation));
    return '';
  }

  private async startRtc(generation: number): Promise<boolean> {
    const viewer = new LiveRtcViewer(this.options.request, this.options.streamid, {
      ...this.options.rtc,
      onLost: () => this.fallBack('rtc', generation),
    });
    this.rtc = viewer;
    let media: MediaStream;
    try {
      media = await viewer.start();
    } catch {
      // refused (webrtc_full, webrtc_unavailable) or not connected in time
      if (this.rtc === viewer) this.rtc = null;
      return false;
    }
    if (this.destroyed || generation !== this.generation) {
      viewer.close();
      return true;
    }
    this.video.srcObject = media;
    this.setMode('rtc');
    this.options.onProblem?.('');
    this.video.play().catch((error: unknown) => {
      if (error instanceof DOMException && error.name === 'NotAllowedError') this.options.onBlocked?.();
    });
    let asking = false;
    this.delayTimer = setInterval(() => {
      // one question at a time: a browser slow to answer for stats does not pile them up
      if (asking) return;
      asking = true;
      viewer
        .delay()
        .then(
          (delay) => (this.rtcDelay = delay),
          () => undefined,
        )
        .finally(() => (asking = false));
    }, DELAY_EVERY_MS);
    return true;
  }

  private stopAll(): void {
    clearInterval(this.delayTimer);
    this.rtc?.close();
    this.rtc = null;
    this.rtcDelay = null;
    this.hls?.destroy();
    this.hls = null;
    if (this.video.srcObject) this.video.srcObject = null;
  }

  private setMode(mode: LiveMode): void {
    this.mode = mode;
    this.options.onMode?.(mode);
  }
}
