/**
 * The media side of one call (S18), over mediasoup-client: the local microphone, camera and screen,
 * a send and a receive WebRTC transport negotiated over the Socket.IO signaling, one producer per
 * local source (the camera with three simulcast encodings) and one consumer per remote producer.
 * It also keeps the transports alive: ICE restarts when a transport drops, with the pluggable
 * reconnect policy, and a `failed` report when that does not help (the store then re-joins).
 */
import type { Device, types as mc } from 'mediasoup-client';
import type { CallKind, JoinResult, MediaSource, ProducerInfo } from '@protocol';
import type {
  CallMediaListener,
  CallMediaOptions,
  CallMediaStats,
  CallRequest,
  ConnectionState,
  RemoteMedia,
  TransportDirection,
} from './callMediaTypes';
import { AUDIO_CONSTRAINTS, browserDevices, INSECURE, mediaErrorReason, videoConstraints, type Facing, type LocalDevices, type MediaProblem } from './localMedia';
import { createTransport, loadDevice, loadMediasoupClient, type HandlerName } from './mediasoupDevice';
import { reconnectPolicy, type ReconnectPolicy } from './reconnectPolicy';
import { RequestError } from './socketRequest';

export type * from './callMediaTypes';

/** Camera simulcast: a quarter, a half and the full resolution (S18). */
const CAMERA_ENCODINGS: mc.RtpEncodingParameters[] = [
  { rid: 'r0', scaleResolutionDownBy: 4, maxBitrate: 100_000 },
  { rid: 'r1', scaleResolutionDownBy: 2, maxBitrate: 300_000 },
  { rid: 'r2', scaleResolutionDownBy: 1, maxBitrate: 900_000 },
];
const SCREEN_ENCODINGS: mc.RtpEncodingParameters[] = [{ maxBitrate: 1_500_000 }];
/** How long a 'disconnected' transport gets to come back by itself before an ICE restart. */
const DISCONNECTED_GRACE_MS = 2500;
/** How long one ICE restart gets to reconnect. */
const RESTART_WAIT_MS = 6000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A newer connect (or close) made this one pointless. */
class Superseded extends Error {
  constructor() {
    super('superseded');
  }
}

interface ConsumerEntry {
  consumer: mc.Consumer;
  media: RemoteMedia;
  layer?: number;
  /** Whether the views want its media (a shown tile); what the server was last told; a request under way. */
  wanted: boolean;
  flowing: boolean;
  syncing: boolean;
}

export class CallMedia {
  private device: Device | null = null;
  private sendTransport: mc.Transport | null = null;
  private recvTransport: mc.Transport | null = null;
  private readonly producers = new Map<MediaSource, mc.Producer>();
  private readonly consumers = new Map<string, ConsumerEntry>();
  /** Producers asked for (or being asked for): each is consumed once per transport. */
  private readonly consumed = new Set<string>();
  /** Producers announced before the receive transport was ready. */
  private pending: ProducerInfo[] = [];
  private readonly tracks: Partial<Record<MediaSource, MediaStreamTrack>> = {};
  private readonly restarting = new Set<string>();
  private generation = 0;
  private closed = false;

  micOn = true;
  cameraOn = true;
  facing: Facing = 'user';
  /** Where the camera was opened with facingMode constraints, the phone may have two. */
  cameraCount = 0;
  /** Set once the call is known (local media may open before call:start answers). */
  callid: string;
  private readonly selfUid: string;
  private readonly request: CallRequest;
  private readonly listener: CallMediaListener;
  private readonly policy: () => ReconnectPolicy;
  private readonly devices: LocalDevices | null;
  private readonly handlerName: HandlerName | undefined;
  private readonly videoOnDemand: boolean;

  constructor(options: CallMediaOptions) {
    this.callid = options.callid;
    this.selfUid = options.selfUid;
    this.request = options.request;
    this.listener = options.listener;
    this.policy = options.policy ?? reconnectPolicy;
    this.devices = options.devices === undefined ? browserDevices() : options.devices;
    this.handlerName = options.handlerName;
    this.videoOnDemand = options.videoOnDemand ?? false;
  }

  // ---------- local media ----------

  /**
   * Opens the microphone (and the camera for video calls). Missing devices are not fatal: a call
   * can go on with what there is (listening only, at worst). Answers what could not be opened.
   */
  async openLocal(kind: CallKind): Promise<MediaProblem[]> {
    const problems: MediaProblem[] = [];
    const wantVideo = kind === 'video';
    this.cameraOn = wantVideo;
    const devices = this.devices;
    if (!devices) {
      this.cameraOn = false;
      return [{ device: 'microphone', reason: INSECURE }];
    }
    let stream: MediaStream | null = null;
    try {
      stream = await devices.getUserMedia({ audio: AUDIO_CONSTRAINTS, video: wantVideo ? videoConstraints(this.facing) : false });
    } catch (error) {
      if (wantVideo) {
        // no camera (or no permission for it): try the microphone alone
        try {
          stream = await devices.getUserMedia({ audio: AUDIO_CONSTRAINTS });
          problems.push({ device: 'camera', reason: mediaErrorReason(error) });
        } catch (again) {
          problems.push({ device: 'microphone', reason: mediaErrorReason(again) });
        }
      } else {
        problems.push({ device: 'microphone', reason: mediaErrorReason(error) });
      }
    }
    if (this.closed) {
      stream?.getTracks().forEach((t) => t.stop());
      throw new Superseded();
    }
    const audio = stream?.getAudioTracks()[0];
    const video = stream?.getVideoTracks()[0];
    if (audio) this.tracks.mic = audio;
    else this.micOn = false;
    if (video) this.setCameraTrack(video);
    else this.cameraOn = false;
    await this.countCameras();
    this.listener.localChanged();
    return problems;
  }

  localTrack(source: MediaSource): MediaStreamTrack | null {
    return this.tracks[source] ?? null;
  }

  get hasMic(): boolean {
    return !!this.tracks.mic;
  }

  get sharingScreen(): boolean {
    return !!this.tracks.screen;
  }

  /** The server-side id of a local source's producer (null while it has none). */
  producerId(source: MediaSource): string | null {
    return this.producers.get(source)?.id ?? null;
  }

  transportId(direction: TransportDirection): string | null {
    return (direction === 'send' ? this.sendTransport : this.recvTransport)?.id ?? null;
  }

  /** The remote tracks being received. */
  remoteMedia(): RemoteMedia[] {
    return [...this.consumers.values()].map((entry) => entry.media);
  }

  /** The local devices, or an error saying there are none to use here. */
  private localDevices(): LocalDevices {
    // what a browser says where the page may not use devices (said as such: localMedia.ts)
    if (!this.devices) throw new DOMException('No camera or microphone can be used here.', 'SecurityError');
    return this.devices;
  }

  private async countCameras(): Promise<void> {
    try {
      const devices = await this.localDevices().enumerateDevices();
      this.cameraCount = devices.filter((d) => d.kind === 'videoinput').length;
    } catch {
      this.cameraCount = 0;
    }
  }

  private setCameraTrack(track: MediaStreamTrack): void {
    this.tracks.camera = track;
    const facing = track.getSettings().facingMode;
    if (facing === 'user' || facing === 'environment') this.facing = facing;
  }

  // ---------- negotiation ----------

  /**
   * Builds the media for a join answer: the device from the router's capabilities, both transports,
   * a producer per local source, a consumer per remote producer. Called again after
   * call:reconnectMedia or a re-join: whatever an earlier connect made is closed first.
   */
  async connect(joined: JoinResult): Promise<void> {
    this.closeTransports();
    const generation = ++this.generation;
    const check = () => {
      if (generation !== this.generation || this.closed) throw new Superseded();
    };
    const device = await loadDevice(joined.routerRtpCapabilities, this.handlerName);
    check();
    this.device = device;
    this.recvTransport = await this.createTransport('recv', generation);
    check();
    if (device.canProduce('audio') || device.canProduce('video')) {
      this.sendTransport = await this.createTransport('send', generation);
      check();
    }
    const waiting = this.pending.splice(0);
    const consuming = [...joined.producers, ...waiting].map((p) => this.consume(p));
    // the send side in order (each produce is a renegotiation of the same peer connection)
    for (const source of ['mic', 'camera', 'screen'] as const) {
      if (this.tracks[source]) await this.produce(source, generation);
    }
    await Promise.all(consuming);
    check();
  }

  private async createTransport(direction: TransportDirection, generation: number): Promise<mc.Transport> {
    const info = await this.request('call:transport:create', { callid: this.callid, direction });
    if (generation !== this.generation || this.closed || !this.device) throw new Superseded();
    const transport = createTransport(this.device, direction, info, {
      connect: (dtlsParameters) => this.request('call:transport:connect', { callid: this.callid, transportId: transport.id, dtlsParameters }),
      produce: (kind, rtpParameters, source) =>
        this.request('call:produce', { callid: this.callid, transportId: transport.id, kind, rtpParameters, source }),
    });
    transport.on('connectionstatechange', (state) => {
      if (transport.closed) return;
      this.listener.transportState(direction, state);
      if (state === 'failed') void this.restartIce(transport, 'failed');
      else if (state === 'disconnected') {
        // a short drop often heals by itself; restart ICE if it does not
        setTimeout(() => {
          if (!transport.closed && transport.connectionState === 'disconnected') void this.restartIce(transport, 'disconnected');
        }, DISCONNECTED_GRACE_MS);
      }
    });
    return transport;
  }

  private async produce(source: MediaSource, generation = this.generation): Promise<void> {
    const track = this.tracks[source];
    const transport = this.sendTransport;
    if (!track || !transport || transport.closed || this.producers.has(source)) return;
    const options: mc.ProducerOptions = { track, stopTracks: false, appData: { source } };
    if (source === 'camera') {
      options.encodings = CAMERA_ENCODINGS.map((e) => ({ ...e }));
      options.codecOptions = { videoGoogleStartBitrate: 1000 };
    } else if (source === 'screen') {
      options.encodings = SCREEN_ENCODINGS.map((e) => ({ ...e }));
    } else {
      options.codecOptions = { opusStereo: false, opusDtx: true, opusFec: true };
    }
    const producer = await transport.produce(options);
    if (generation !== this.generation || transport !== this.sendTransport || this.closed) {
      producer.close();
      return;
    }
    this.producers.set(source, producer);
    producer.on('transportclose', () => {
      if (this.producers.get(source) === producer) this.producers.delete(source);
    });
    // muted (or camera off) before this producer existed: it starts paused too
    const off = (source === 'mic' && !this.micOn) || (source === 'camera' && !this.cameraOn);
    if (off) {
      producer.pause();
      await this.request('call:producer:pause', { callid: this.callid, producerId: producer.id }).catch(() => undefined);
    }
  }

  /** Receives a remote producer (from the join answer or call:producer:new). */
  async consume(p: Pick<ProducerInfo, 'producerId' | 'uid'>): Promise<void> {
    if (p.uid === this.selfUid || this.closed) return;
    const device = this.device;
    const transport = this.recvTransport;
    if (!device || !transport || transport.closed) {
      if (!this.pending.some((q) => q.producerId === p.producerId)) this.pending.push(p as ProducerInfo);
      return;
    }
    if (this.consumed.has(p.producerId)) return;
    this.consumed.add(p.producerId);
    try {
      const res = await this.request('call:consume', {
        callid: this.callid,
        producerId: p.producerId,
        rtpCapabilities: device.recvRtpCapabilities,
      });
      if (transport !== this.recvTransport || transport.closed) return;
      const consumer = await transport.consume({
        id: res.consumerId,
        producerId: res.producerId,
        kind: res.kind,
        rtpParameters: res.rtpParameters as mc.RtpParameters,
      });
      if (transport !== this.recvTransport || transport.closed || !this.consumed.has(p.producerId)) {
        consumer.close();
        return;
      }
      const { parseScalabilityMode } = await loadMediasoupClient();
      const mode = consumer.rtpParameters.encodings?.[0]?.scalabilityMode;
      const media: RemoteMedia = {
        consumerId: consumer.id,
        producerId: res.producerId,
        uid: res.uid,
        kind: res.kind,
        source: res.source,
        track: consumer.track,
        simulcast: !!mode && parseScalabilityMode(mode).spatialLayers > 1,
      };
      // video on demand waits for its tile to show (setFlowing); the rest flows once wired up
      const entry: ConsumerEntry = { consumer, media, wanted: !(this.videoOnDemand && media.kind === 'video'), flowing: false, syncing: false };
      this.consumers.set(consumer.id, entry);
      consumer.on('transportclose', () => this.dropConsumer(consumer.id));
      consumer.on('trackended', () => this.dropConsumer(consumer.id));
      this.listener.remoteAdded(media);
      if (!entry.wanted) consumer.pause();
      // consumers start paused on the server: the track is wired up now, let the media flow
      await this.syncFlow(entry);
    } catch (error) {
      this.consumed.delete(p.producerId);
      if (!(error instanceof Superseded)) console.warn('[call] consuming failed', p.producerId, String(error));
    }
  }

  /** The server closed a consumer (its producer went away, or the transport). */
  consumerClosed(consumerId: string): void {
    this.dropConsumer(consumerId);
  }

  producerClosed(producerId: string): void {
    this.pending = this.pending.filter((p) => p.producerId !== producerId);
    this.consumed.delete(producerId);
    for (const [id, entry] of this.consumers) if (entry.media.producerId === producerId) this.dropConsumer(id);
  }

  private dropConsumer(consumerId: string): void {
    const entry = this.consumers.get(consumerId);
    if (!entry) return;
    this.consumers.delete(consumerId);
    this.consumed.delete(entry.media.producerId);
    if (!entry.consumer.closed) entry.consumer.close();
    this.listener.remoteRemoved(consumerId);
  }

  /**
   * Whether a consumer's media should flow (its tile is on screen) or stop on the server
   * (call:consumer:pause: scrolled away, minimized, off the grid).
   */
  async setFlowing(consumerId: string, on: boolean): Promise<void> {
    const entry = this.consumers.get(consumerId);
    if (!entry || entry.wanted === on) return;
    entry.wanted = on;
    await this.syncFlow(entry);
  }

  /** Tells the server until it agrees with the latest wish, one request at a time. */
  private async syncFlow(entry: ConsumerEntry): Promise<void> {
    if (entry.syncing) return;
    entry.syncing = true;
    try {
      while (entry.flowing !== entry.wanted && !entry.consumer.closed && this.consumers.get(entry.consumer.id) === entry) {
        const on = entry.wanted;
        if (on) entry.consumer.resume();
        else entry.consumer.pause();
        await this.request(on ? 'call:consumer:resume' : 'call:consumer:pause', { callid: this.callid, consumerId: entry.consumer.id });
        entry.flowing = on;
      }
    } finally {
      entry.syncing = false;
    }
  }

  /** The preferred spatial layer of a simulcast consumer (from the size of the tile showing it). */
  async preferLayer(consumerId: string, spatialLayer: number): Promise<void> {
    const entry = this.consumers.get(consumerId);
    if (!entry || !entry.media.simulcast || entry.layer === spatialLayer) return;
    entry.layer = spatialLayer;
    try {
      await this.request('call:consumer:setLayers', { callid: this.callid, consumerId, spatialLayer });
    } catch (error) {
      if (entry.layer === spatialLayer) entry.layer = undefined;
      console.warn('[call] setLayers failed', String(error));
    }
  }

  // ---------- controls ----------

  async setMic(on: boolean): Promise<void> {
    if (!this.tracks.mic) return;
    this.micOn = on;
    this.tracks.mic.enabled = on;
    this.listener.localChanged();
    const producer = this.producers.get('mic');
    if (!producer || producer.closed) return;
    if (on) producer.resume();
    else producer.pause();
    await this.request(on ? 'call:producer:resume' : 'call:producer:pause', { callid: this.callid, producerId: producer.id });
  }

  /** Camera off stops the camera (its light goes out); on opens it again. */
  async setCamera(on: boolean): Promise<void> {
    const producer = this.producers.get('camera');
    if (!on) {
      this.cameraOn = false;
      this.tracks.camera?.stop();
      delete this.tracks.camera;
      this.listener.localChanged();
      if (producer && !producer.closed) {
        producer.pause();
        await producer.replaceTrack({ track: null }).catch(() => undefined);
        await this.request('call:producer:pause', { callid: this.callid, producerId: producer.id });
      }
      return;
    }
    const stream = await this.localDevices().getUserMedia({ video: videoConstraints(this.facing) });
    const track = stream.getVideoTracks()[0]!;
    if (this.closed) {
      track.stop();
      return;
    }
    this.setCameraTrack(track);
    this.cameraOn = true;
    this.listener.localChanged();
    if (producer && !producer.closed) {
      await producer.replaceTrack({ track });
      producer.resume();
      await this.request('call:producer:resume', { callid: this.callid, producerId: producer.id });
    } else {
      await this.produce('camera');
    }
    if (!this.cameraCount) await this.countCameras();
  }

  /** Front/back camera on phones (facingMode), else the next camera in the device list. */
  async switchCamera(): Promise<void> {
    if (!this.cameraOn) return;
    const old = this.tracks.camera;
    const next: Facing = this.facing === 'user' ? 'environment' : 'user';
    const oldDevice = old?.getSettings().deviceId;
    // phones cannot keep both cameras open
    old?.stop();
    let track: MediaStreamTrack | undefined;
    try {
      track = (await this.localDevices().getUserMedia({ video: videoConstraints(next, true) })).getVideoTracks()[0];
    } catch {
      const cameras = (await this.localDevices().enumerateDevices()).filter((d) => d.kind === 'videoinput');
      const index = cameras.findIndex((d) => d.deviceId === oldDevice);
      const other = cameras[(index + 1) % Math.max(1, cameras.length)];
      const constraints: MediaTrackConstraints = other?.deviceId ? { ...videoConstraints(next), facingMode: undefined, deviceId: { exact: other.deviceId } } : videoConstraints(this.facing);
      track = (await this.localDevices().getUserMedia({ video: constraints })).getVideoTracks()[0];
    }
    if (!track) return;
    this.setCameraTrack(track);
    if (!track.getSettings().facingMode) this.facing = next;
    this.listener.localChanged();
    const producer = this.producers.get('camera');
    if (producer && !producer.closed) await producer.replaceTrack({ track });
  }

  /** Desktop screen share: an extra producer with source 'screen', stopped when the track ends. */
  async startScreenShare(): Promise<void> {
    if (this.tracks.screen) return;
    const stream = await this.localDevices().getDisplayMedia({ video: { frameRate: { ideal: 15, max: 30 } }, audio: false });
    const track = stream.getVideoTracks()[0];
    if (!track) return;
    if (this.closed) {
      track.stop();
      return;
    }
    track.contentHint = 'detail';
    this.tracks.screen = track;
    // the browser's own "Stop sharing" button ends the track
    track.addEventListener('ended', () => void this.stopScreenShare());
    this.listener.localChanged();
    await this.produce('screen');
  }

  async stopScreenShare(): Promise<void> {
    const track = this.tracks.screen;
    if (!track) return;
    delete this.tracks.screen;
    track.stop();
    this.listener.localChanged();
    const producer = this.producers.get('screen');
    this.producers.delete('screen');
    if (producer && !producer.closed) {
      producer.close();
      await this.request('call:producer:close', { callid: this.callid, producerId: producer.id }).catch(() => undefined);
    }
  }

  // ---------- keeping the connection up ----------

  /** ICE restart of both transports (e.g. the network changed: the browser's `online` event). */
  restartIceAll(reason: string): void {
    for (const transport of [this.sendTransport, this.recvTransport]) {
      if (transport && !transport.closed) void this.restartIce(transport, reason, true);
    }
  }

  private async restartIce(transport: mc.Transport, reason: string, force = false): Promise<void> {
    if (this.restarting.has(transport.id)) return;
    this.restarting.add(transport.id);
    const began = Date.now();
    try {
      for (let retryCount = 0; ; retryCount++) {
        const delay = this.policy().nextRetryDelayInMs({ retryCount, elapsedMs: Date.now() - began, reason: `ice:${reason}` });
        if (delay === null) {
          this.listener.failed(`ice ${reason}`);
          return;
        }
        await sleep(delay);
        if (transport.closed || this.closed) return;
        if (transport.connectionState === 'connected' && !(force && retryCount === 0)) return;
        try {
          const { iceParameters } = await this.request('call:transport:restartIce', { callid: this.callid, transportId: transport.id });
          if (transport.closed) return;
          await transport.restartIce({ iceParameters: iceParameters as mc.IceParameters });
        } catch (error) {
          // the server no longer knows the transport (the call moved, we were dropped): start over
          if (error instanceof RequestError && !error.retryable) {
            this.listener.failed(`ice restart refused: ${error.code}`);
            return;
          }
          continue;
        }
        if (await this.waitConnected(transport, RESTART_WAIT_MS)) return;
      }
    } finally {
      this.restarting.delete(transport.id);
    }
  }

  private waitConnected(transport: mc.Transport, timeoutMs: number): Promise<boolean> {
    if (transport.connectionState === 'connected') return Promise.resolve(true);
    return new Promise((resolve) => {
      const onState = (state: ConnectionState) => {
        if (state !== 'connected' && state !== 'closed') return;
        clearTimeout(timer);
        transport.off('connectionstatechange', onState);
        resolve(state === 'connected');
      };
      const timer = setTimeout(() => {
        transport.off('connectionstatechange', onState);
        resolve(transport.connectionState === 'connected');
      }, timeoutMs);
      transport.on('connectionstatechange', onState);
    });
  }

  // ---------- teardown ----------

  /** Closes transports, producers and consumers; the local tracks stay (a re-join produces them again). */
  closeTransports(): void {
    this.generation++;
    this.pending = [];
    this.consumed.clear();
    for (const id of [...this.consumers.keys()]) this.dropConsumer(id);
    for (const producer of this.producers.values()) if (!producer.closed) producer.close();
    this.producers.clear();
    this.sendTransport?.close();
    this.recvTransport?.close();
    this.sendTransport = null;
    this.recvTransport = null;
    this.device = null;
  }

  /** Everything, the camera and microphone included. */
  close(): void {
    this.closed = true;
    this.closeTransports();
    for (const source of Object.keys(this.tracks) as MediaSource[]) {
      this.tracks[source]?.stop();
      delete this.tracks[source];
    }
  }

  // ---------- diagnostics ----------

  /** inbound-rtp numbers of the receive transport, by sender (tests and diagnostics). */
  async stats(): Promise<CallMediaStats> {
    const out: CallMediaStats = {
      video: [],
      audio: [],
      recvState: this.recvTransport?.connectionState ?? 'none',
      sendState: this.sendTransport?.connectionState ?? 'none',
    };
    const transport = this.recvTransport;
    if (!transport || transport.closed) return out;
    const senders = new Map<number, RemoteMedia>();
    for (const { consumer, media } of this.consumers.values()) {
      for (const encoding of consumer.rtpParameters.encodings ?? []) if (encoding.ssrc) senders.set(encoding.ssrc, media);
    }
    const report = await transport.getStats();
    report.forEach((s: Record<string, unknown>) => {
      if (s.type !== 'inbound-rtp') return;
      const ssrc = Number(s.ssrc);
      const sender = senders.get(ssrc);
      const common = { ssrc, packetsReceived: Number(s.packetsReceived ?? 0), uid: sender?.uid, source: sender?.source };
      if (s.kind === 'video') {
        out.video.push({
          ...common,
          framesDecoded: Number(s.framesDecoded ?? 0),
          frameWidth: Number(s.frameWidth ?? 0),
          frameHeight: Number(s.frameHeight ?? 0),
        });
      } else if (s.kind === 'audio') {
        out.audio.push({ ...common, audioLevel: Number(s.audioLevel ?? 0) });
      }
    });
    return out;
  }
}

export function isSuperseded(error: unknown): boolean {
  return error instanceof Superseded;
}
