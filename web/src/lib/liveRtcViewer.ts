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

/** Real-time viewing did not come up: refused (with the server's code) or not connected in time. */
export class LiveRtcFailedError extends Error {
  override readonly name = 'LiveRtcFailedError';
}

export class LiveRtcViewer {
  private transport: mc.Transport | null = null;
  private readonly consumers: mc.Consumer[] = [];
  private closed = false;
  private playing = false;
  /** The jitter buffer's totals at the previous delay() (the estimate covers what came since). */
  private lastBuffer = { delay: 0, emitted: 0 };

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
   * Seconds from the server to the screen, estimated: what the video waits in the jitter buffer
   * (averaged since the last call), its decoding, plus half the round trip. Null until known.
   */
  async delay(): Promise<number | null> {
    const transport = this.transport;
    if (!transport || transport.closed) return null;
    let inbound: Record<string, unknown> | undefined;
    let roundTrip = 0;
    // the transport's report (not the receiver's: not every WebRTC stack has that one)
    (await transport.getStats()).forEach((s: Record<string, unknown>) => {
      if (s.type === 'inbound-rtp' && s.kind === 'video') inbound = s;
      else if (s.type === 'candidate-pair' && s.nominated === true && typeof s.currentRoundTripTime === 'number') roundTrip = s.currentRoundTripTime;
    });
    const delay = Number(inbound?.jitterBufferDelay);
    const emitted = Number(inbound?.jitterBufferEmittedCount);
    if (!inbound || !Number.isFinite(delay) || !Number.isFinite(emitted)) return null;
    const last = this.lastBuffer;
    // nothing new since the last call: the lifetime average
    const buffered = emitted > last.emitted ? (delay - last.delay) / (emitted - last.emitted) : emitted > 0 ? delay / emitted : null;
    this.lastBuffer = { delay, emitted };
    if (buffered === null) return null;
    const decoded = Number(inbound.framesDecoded);
    const decoding = decoded > 0 ? Number(inbound.totalDecodeTime ?? 0) / decoded : 0;
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
