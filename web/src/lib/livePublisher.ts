/**
 * The media side of publishing a live stream (S19), over mediasoup-client: the camera (or, on
 * desktops, a screen) and the microphone, one send transport to the stream's router with a
 * producer per track, and the uplink's numbers from getStats. The server re-encodes the video for
 * HLS, so one good encoding is sent (no simulcast layers).
 */
import type { types as mc } from 'mediasoup-client';
import type { LiveCreateResult, MediaSource } from '@protocol';
import type { LivePublisherOptions, LiveRequest, LiveSource, PublisherListener, UplinkStats } from './livePublisherTypes';
import { AUDIO_CONSTRAINTS, browserDevices, INSECURE, mediaErrorReason, videoConstraints, type LocalDevices, type MediaProblem } from './localMedia';
import { createTransport, loadDevice, type HandlerName } from './mediasoupDevice';

export type * from './livePublisherTypes';

const ENCODINGS: Record<LiveSource, mc.RtpEncodingParameters> = {
  camera: { maxBitrate: 1_500_000 },
  screen: { maxBitrate: 2_000_000 },
};

export class LivePublisher {
  private video: MediaStreamTrack | null = null;
  private mic: MediaStreamTrack | null = null;
  private transport: mc.Transport | null = null;
  private readonly producers = new Map<'video' | 'mic', mc.Producer>();
  private lastSample: { at: number; bytes: number } | null = null;
  private closed = false;
  source: LiveSource = 'camera';
  micOn = true;

  private readonly devices: LocalDevices | null;
  private readonly handlerName: HandlerName | undefined;

  constructor(
    private readonly request: LiveRequest,
    private readonly listener: PublisherListener,
    options: LivePublisherOptions = {},
  ) {
    this.devices = options.devices === undefined ? browserDevices() : options.devices;
    this.handlerName = options.handlerName;
  }

  get videoTrack(): MediaStreamTrack | null {
    return this.video;
  }

  get hasMic(): boolean {
    return !!this.mic;
  }

  // ---------- local media ----------

  /**
   * Opens the camera and microphone, or a screen (plus the microphone). Answers what could not be
   * opened; a missing microphone is no reason not to stream. While live the new video replaces the
   * old in its producer, so switching needs no renegotiation.
   */
  async open(source: LiveSource): Promise<MediaProblem[]> {
    const devices = this.devices;
    if (!devices) return [{ device: 'camera', reason: INSECURE }];
    const problems: MediaProblem[] = [];
    let video: MediaStreamTrack | undefined;
    if (source === 'screen') {
      // the picker may be closed: that rejects, and the camera stays
      const stream = await devices.getDisplayMedia({ video: { frameRate: { ideal: 15, max: 30 } }, audio: false });
      video = stream.getVideoTracks()[0];
      if (video) video.contentHint = 'detail';
    } else {
      try {
        const stream = await devices.getUserMedia({ video: videoConstraints('user'), audio: this.mic ? false : AUDIO_CONSTRAINTS });
        video = stream.getVideoTracks()[0];
        this.takeMic(stream.getAudioTracks()[0]);
      } catch (error) {
        problems.push({ device: 'camera', reason: mediaErrorReason(error) });
      }
    }
    if (!this.mic) {
      try {
        this.takeMic((await devices.getUserMedia({ audio: AUDIO_CONSTRAINTS })).getAudioTracks()[0]);
      } catch (error) {
        problems.push({ device: 'microphone', reason: mediaErrorReason(error) });
      }
    }
    if (this.closed) {
      video?.stop();
      this.mic?.stop();
      return problems;
    }
    if (video) await this.setVideo(video, source);
    this.listener.localChanged();
    return problems;
  }

  private takeMic(track: MediaStreamTrack | undefined): void {
    if (!track) return;
    this.mic = track;
    track.enabled = this.micOn;
  }

  private async setVideo(track: MediaStreamTrack, source: LiveSource): Promise<void> {
    const old = this.video;
    this.video = track;
    this.source = source;
    // the browser's own "Stop sharing" ends a screen track: back to the camera
    if (source === 'screen') {
      track.addEventListener('ended', () => {
        if (this.video === track && !this.closed) void this.open('camera');
      });
    }
    const producer = this.producers.get('video');
    if (producer && !producer.closed) await producer.replaceTrack({ track });
    if (old && old !== track) old.stop();
  }

  setMic(on: boolean): void {
    this.micOn = on;
    // a disabled track sends silence: the stream's audio goes on without renegotiation
    if (this.mic) this.mic.enabled = on;
    this.listener.localChanged();
  }

  // ---------- publishing ----------

  /**
   * Sends the tracks to the stream's router (from the live:create answer, or from
   * live:reconnectMedia when the server moved the stream's media: the old transport goes first).
   */
  async publish(streamid: string, created: Omit<LiveCreateResult, 'stream'>): Promise<void> {
    if (this.transport) this.closeTransport();
    const device = await loadDevice(created.routerRtpCapabilities, this.handlerName);
    if (this.closed) return;
    const transport = createTransport(device, 'send', created.transport, {
      connect: (dtlsParameters) => this.request('live:transport:connect', { streamid, transportId: transport.id, dtlsParameters }),
      produce: (kind, rtpParameters, source) =>
        this.request('live:produce', { streamid, transportId: transport.id, kind, rtpParameters, source }),
    });
    this.transport = transport;
    transport.on('connectionstatechange', (state) => {
      if (!transport.closed) this.listener.transportState(state);
    });
    // one after the other: each produce renegotiates the same peer connection
    if (this.video) {
      const source: MediaSource = this.source;
      this.producers.set(
        'video',
        await transport.produce({
          track: this.video,
          stopTracks: false,
          encodings: [{ ...ENCODINGS[this.source] }],
          codecOptions: { videoGoogleStartBitrate: 1000 },
          appData: { source },
        }),
      );
    }
    if (this.mic) {
      // no DTX: the HLS audio encoder wants a steady stream of packets
      this.producers.set(
        'mic',
        await transport.produce({ track: this.mic, stopTracks: false, codecOptions: { opusStereo: false, opusDtx: false, opusFec: true }, appData: { source: 'mic' } }),
      );
    }
  }

  /** Outgoing bitrate and loss of the send transport (null before publishing). */
  async uplink(): Promise<UplinkStats | null> {
    const transport = this.transport;
    if (!transport || transport.closed) return null;
    const report = await transport.getStats();
    let bytes = 0;
    let limitation = 'none';
    let loss = 0;
    let rtt: number | null = null;
    report.forEach((s: Record<string, unknown>) => {
      if (s.type === 'outbound-rtp' && s.kind === 'video') {
        bytes += Number(s.bytesSent ?? 0);
        if (typeof s.qualityLimitationReason === 'string') limitation = s.qualityLimitationReason;
      } else if (s.type === 'remote-inbound-rtp') {
        loss = Math.max(loss, Number(s.fractionLost ?? 0));
        if (typeof s.roundTripTime === 'number') rtt = Math.max(rtt ?? 0, s.roundTripTime * 1000);
      }
    });
    const now = performance.now();
    const last = this.lastSample;
    this.lastSample = { at: now, bytes };
    const videoBitrate = last && now > last.at ? ((bytes - last.bytes) * 8 * 1000) / (now - last.at) : null;
    return { videoBitrate, loss, limitation, roundTripMs: rtt };
  }

  // ---------- teardown ----------

  /** Stops sending (the tracks stay for the preview). */
  closeTransport(): void {
    for (const producer of this.producers.values()) if (!producer.closed) producer.close();
    this.producers.clear();
    this.transport?.close();
    this.transport = null;
    this.lastSample = null;
  }

  /** Everything, the camera and microphone included. */
  close(): void {
    this.closed = true;
    this.closeTransport();
    this.video?.stop();
    this.mic?.stop();
    this.video = null;
    this.mic = null;
  }
}
