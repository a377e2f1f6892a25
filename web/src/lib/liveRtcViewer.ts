/**
 * Real-time viewing of a live stream over WebRTC (S27), through mediasoup-client: a receive
 * transport on the stream's media server and a consumer per track, gathered in one MediaStream for
 * the <video>. It either connects within a few seconds or fails, so the caller can fall back to
 * HLS; once playing, losing the connection is reported (`onLost`) for the same fallback. Its delay
 * is estimated from getStats: the receiver's jitter buffer and decoding, plus half the round trip.
 */
import type { types as mc } from 'mediasoup-client';
import type { LiveRequest } from './livePublisherTypes';
import { createTransport, loadDevice, type HandlerName } from './mediasoupDevice';

/** ICE and DTLS must be up this soon, else the viewer plays HLS. */
export const RTC_CONNECT_TIMEOUT_MS = 5000;

export interface LiveRtcViewerOptions {
  /** mediasoup-client's handler: detected from the browser by default. */
  handlerName?: HandlerName;
  connectTimeoutMs?: number;
  /** The connection went away after it played (the caller falls back to HLS). */
  onLost?(): void;
}

/** The browser's stats behind the delay estimate must come this soon, else that estimate is skipped. */
const STATS_TIMEOUT_MS = 2000;

type MediaKind = 'audio' | 'video';

/** A receiver's counters, as the delay estimate last read them. */
export interface LiveRtcReceiverStats {
  packets: number;
  /** Frames (video) or samples (audio) out of the jitter buffer. */
  emitted: number;
  decoded: number;
}

export interface LiveRtcDebug {
  /** Stats asked for, and answered. */
  asked: number;
  answered: number;
  lastError: string;
  video: LiveRtcReceiverStats | null;
  audio: LiveRtcReceiverStats | null;
}

function emittedOf(s: Record<string, unknown> | undefined): number {
  const n = Number(s?.jitterBufferEmittedCount);
  return Number.isFinite(n) ? n : 0;
}

/** The promise's value, or null when it takes longer than `ms`. */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | null> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), ms)));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** Real-time viewing did not come up: refused (with the server's code) or not connected in time. */
export class LiveRtcFailedError extends Error {
  override readonly name = 'LiveRtcFailedError';
}

export class LiveRtcViewer {
  private transport: mc.Transport | null = null;
  private readonly consumers: mc.Consumer[] = [];
  private closed = false;
  private playing = false;
  /** The jitter buffers' totals at the previous delay() (the estimate covers what came since). */
  private readonly lastBuffer: Record<MediaKind, { delay: number; emitted: number }> = {
    video: { delay: 0, emitted: 0 },
    audio: { delay: 0, emitted: 0 },
  };
  /** What the delay estimate saw last (the page's debug hook shows it). */
  readonly debug: LiveRtcDebug = { asked: 0, answered: 0, lastError: '', video: null, audio: null };

  constructor(
    private readonly request: LiveRequest,
    readonly streamid: string,
    private readonly options: LiveRtcViewerOptions = {},
  ) {}

  /** Connects and answers the stream's tracks; rejects (and cleans up) when that fails. */
  async start(): Promise<MediaStream> {
    const { streamid } = this;
    try {
      const { routerRtpCapabilities, transport: info } = await this.request('live:watchRtc', { streamid });
      this.ensureOpen();
      const device = await loadDevice(routerRtpCapabilities, this.options.handlerName);
      this.ensureOpen();
      const transport = createTransport(device, 'recv', info, {
        connect: (dtlsParameters) => this.request('live:watchRtcConnect', { streamid, transportId: info.transportId, dtlsParameters }),
      });
      this.transport = transport;
      const connected = this.connected(transport);
      // awaited below; a failure before then must not surface as unhandled
      connected.catch(() => undefined);
      const { consumers } = await this.request('live:watchRtcConsume', { streamid, rtpCapabilities: { ...device.rtpCapabilities } });
      for (const c of consumers) {
        this.ensureOpen();
        this.consumers.push(
          await transport.consume({ id: c.consumerId, producerId: c.producerId, kind: c.kind, rtpParameters: c.rtpParameters as mc.RtpParameters }),
        );
      }
      await this.request('live:watchRtcResume', { streamid });
      await connected;
      this.ensureOpen();
      this.playing = true;
      transport.on('connectionstatechange', (state) => {
        if (this.playing && (state === 'failed' || state === 'closed' || state === 'disconnected')) {
          this.playing = false;
          this.options.onLost?.();
        }
      });
      return new MediaStream(this.consumers.map((c) => c.track));
    } catch (error) {
      this.close();
      throw error;
    }
  }

  /**
   * Seconds from the server to the screen, estimated: what the media waits in the jitter buffer
   * (averaged since the last call), its decoding, plus half the round trip. The video's figures
   * while it has frames out of its buffer, else the audio's (what is heard is as late as what is
   * seen). Null until known, and when the browser does not answer for stats in time.
   */
  async delay(): Promise<number | null> {
    const transport = this.transport;
    if (!transport || transport.closed) return null;
    this.debug.asked++;
    let report: RTCStatsReport | null;
    try {
      // the transport's report (not the receiver's: not every WebRTC stack has that one)
      report = await withTimeout(transport.getStats(), STATS_TIMEOUT_MS);
    } catch (error) {
      this.debug.lastError = String(error);
      return null;
    }
    if (!report) {
      this.debug.lastError = `no stats within ${STATS_TIMEOUT_MS} ms`;
      return null;
    }
    this.debug.answered++;
    const inbound: Partial<Record<MediaKind, Record<string, unknown>>> = {};
    let roundTrip = 0;
    report.forEach((s: Record<string, unknown>) => {
      if (s.type === 'inbound-rtp' && (s.kind === 'video' || s.kind === 'audio')) {
        // the receiver that has played the most: one with nothing yet must not hide one that plays
        const seen = inbound[s.kind];
        if (!seen || emittedOf(s) > emittedOf(seen)) inbound[s.kind] = s;
      } else if (s.type === 'candidate-pair' && s.nominated === true && typeof s.currentRoundTripTime === 'number') roundTrip = s.currentRoundTripTime;
    });
    for (const kind of ['video', 'audio'] as const) {
      const s = inbound[kind];
      this.debug[kind] = s ? { packets: Number(s.packetsReceived ?? 0), emitted: emittedOf(s), decoded: Number(s.framesDecoded ?? 0) } : null;
    }
    const kind = emittedOf(inbound.video) > 0 ? 'video' : emittedOf(inbound.audio) > 0 ? 'audio' : null;
    if (!kind) return null;
    const s = inbound[kind]!;
    const delay = Number(s.jitterBufferDelay);
    const emitted = emittedOf(s);
    if (!Number.isFinite(delay)) return null;
    const last = this.lastBuffer[kind];
    // nothing new since the last call: the lifetime average
    const buffered = emitted > last.emitted ? (delay - last.delay) / (emitted - last.emitted) : delay / emitted;
    this.lastBuffer[kind] = { delay, emitted };
    const decoded = Number(s.framesDecoded);
    const decoding = kind === 'video' && decoded > 0 ? Number(s.totalDecodeTime ?? 0) / decoded : 0;
    return buffered + (Number.isFinite(decoding) ? decoding : 0) + roundTrip / 2;
  }

  /** Leaves real-time viewing: the place is given back to the server. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.playing = false;
    for (const consumer of this.consumers.splice(0)) consumer.close();
    this.transport?.close();
    this.transport = null;
    this.request('live:unwatchRtc', { streamid: this.streamid }).catch(() => undefined);
  }

  private ensureOpen(): void {
    if (this.closed) throw new LiveRtcFailedError('closed');
  }

  /** Resolves once the transport is connected; rejects when it fails or takes too long. */
  private connected(transport: mc.Transport): Promise<void> {
    const timeoutMs = this.options.connectTimeoutMs ?? RTC_CONNECT_TIMEOUT_MS;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new LiveRtcFailedError(`not connected within ${timeoutMs} ms`)), timeoutMs);
      transport.on('connectionstatechange', (state) => {
        if (state === 'connected') {
          clearTimeout(timer);
          resolve();
        } else if (state === 'failed' || state === 'closed') {
          clearTimeout(timer);
          reject(new LiveRtcFailedError(`connection ${state}`));
        }
      });
    });
  }
}
