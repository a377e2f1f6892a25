/**
 * Plays a live stream in the best mode it can (S27): real time over WebRTC while the stream offers
 * it (`webrtc`), else HLS. Real time that is refused (full, not offered here), does not connect
 * within a few seconds, or drops later falls back to HLS by itself; HLS stays for the rest of the
 * page's life (no flapping between modes). An ended stream's replay is HLS.
 */
import { LivePlayer, type LivePlayerOptions, type PlayerKind } from './livePlayer';
import { LiveRtcViewer, type LiveRtcViewerOptions } from './liveRtcViewer';
import type { LiveRequest } from './livePublisherTypes';

export type LiveMode = 'rtc' | 'hls';

/** How often the real-time delay estimate is refreshed. */
const DELAY_EVERY_MS = 1000;

export interface LiveModePlayerOptions extends LivePlayerOptions {
  streamid: string;
  /** Whether real time may be tried now (the stream is live and says `webrtc`). */
  realTime(): boolean;
  request: LiveRequest;
  rtc?: Omit<LiveRtcViewerOptions, 'onLost'>;
  /** The mode changed (real time came up, or HLS took over). */
  onMode?(mode: LiveMode): void;
}

export class LiveModePlayer {
  mode: LiveMode | null = null;
  private rtc: LiveRtcViewer | null = null;
  private hls: LivePlayer | null = null;
  private rtcDelay: number | null = null;
  private delayTimer: ReturnType<typeof setInterval> | undefined;
  private destroyed = false;

  constructor(
    private readonly video: HTMLVideoElement,
    private readonly options: LiveModePlayerOptions,
  ) {}

  /** What plays: 'webrtc', or the HLS player's kind. */
  get kind(): PlayerKind | 'webrtc' | null {
    return this.mode === 'rtc' ? 'webrtc' : (this.hls?.kind ?? null);
  }

  async start(): Promise<void> {
    if (this.options.realTime() && (await this.startRtc())) return;
    await this.toHls();
  }

  /** Seconds behind live: the real-time estimate (getStats), or the HLS player's. */
  latency(): number | null {
    return this.mode === 'rtc' ? this.rtcDelay : (this.hls?.latency() ?? null);
  }

  /** Back to the live edge (HLS; real time is always there). */
  goLive(): void {
    this.hls?.goLive();
  }

  /** HLS from now on (a real-time stream that ended: its replay). */
  async toHls(): Promise<void> {
    if (this.destroyed || this.hls) return;
    this.stopRtc();
    this.video.srcObject = null;
    this.setMode('hls');
    this.hls = new LivePlayer(this.video, this.options);
    await this.hls.start();
  }

  destroy(): void {
    this.destroyed = true;
    this.stopRtc();
    this.hls?.destroy();
    this.hls = null;
  }

  private async startRtc(): Promise<boolean> {
    const viewer = new LiveRtcViewer(this.options.request, this.options.streamid, {
      ...this.options.rtc,
      onLost: () => void this.toHls(),
    });
    this.rtc = viewer;
    let media: MediaStream;
    try {
      media = await viewer.start();
    } catch {
      // refused (webrtc_full, webrtc_unavailable) or not connected in time: HLS
      if (this.rtc === viewer) this.rtc = null;
      return false;
    }
    if (this.destroyed || this.rtc !== viewer) {
      viewer.close();
      return true;
    }
    this.video.srcObject = media;
    this.setMode('rtc');
    this.options.onProblem?.('');
    this.video.play().catch((error: unknown) => {
      if (error instanceof DOMException && error.name === 'NotAllowedError') this.options.onBlocked?.();
    });
    this.delayTimer = setInterval(() => {
      viewer.delay().then(
        (delay) => (this.rtcDelay = delay),
        () => undefined,
      );
    }, DELAY_EVERY_MS);
    return true;
  }

  private stopRtc(): void {
    clearInterval(this.delayTimer);
    this.rtc?.close();
    this.rtc = null;
    this.rtcDelay = null;
  }

  private setMode(mode: LiveMode): void {
    this.mode = mode;
    this.options.onMode?.(mode);
  }
}
