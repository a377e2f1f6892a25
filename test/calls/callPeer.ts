/**
 * A call participant inside Node for integration tests: socket.io-client for signaling,
 * mediasoup-client's Chrome111 handler over @roamhq/wrtc's RTCPeerConnection for media, and wrtc's
 * nonstandard sources for cheap synthetic audio (a 440 Hz tone) and video (a moving gray frame).
 */
import wrtc from '@roamhq/wrtc';
import { Device } from 'mediasoup-client';
import type { types as mc } from 'mediasoup-client';
import type { CallInfo, ConsumeResult, JoinResult, ProducerInfo, TransportInfo } from '../../signaling/protocol/calls';
import { emitAck, errorAt, type TestSocket } from '../support/client';
import { startTone } from '../support/syntheticMedia';

Object.assign(globalThis, {
  RTCPeerConnection: wrtc.RTCPeerConnection,
  RTCSessionDescription: wrtc.RTCSessionDescription,
  RTCIceCandidate: wrtc.RTCIceCandidate,
  MediaStream: wrtc.MediaStream,
  MediaStreamTrack: wrtc.MediaStreamTrack,
  RTCRtpSender: wrtc.RTCRtpSender,
  RTCRtpReceiver: wrtc.RTCRtpReceiver,
  RTCRtpTransceiver: wrtc.RTCRtpTransceiver,
});

/** Names of the CallPeers not garbage-collected yet (closeAll checks that none outlives the tests). */
export const livePeers = new Set<string>();
const peerRegistry = new FinalizationRegistry<string>((key) => livePeers.delete(key));
let peerSeq = 0;

const VIDEO_W = 160;
const VIDEO_H = 120;

export class AckError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

/** emitAck that throws the `{ error }` answer. */
export async function request<T = any>(socket: TestSocket, event: string, payload: unknown, timeoutMs = 10_000): Promise<T> {
  const callSite = new Error();
  const res = await emitAck(socket, event as any, payload as any, timeoutMs).catch((err: Error) => {
    throw errorAt(callSite, `${event}: ${err.message}${err.message.includes('timed out') ? ` (no answer within ${timeoutMs} ms)` : ''}`);
  });
  if (res && typeof res === 'object' && 'error' in res) throw new AckError(res.error.code, res.error.message);
  return res as T;
}

interface ConsumerEntry {
  consumer: mc.Consumer;
  uid: string;
  source: string;
  kind: 'audio' | 'video';
}

export class CallPeer {
  callid = '';
  device: Device | null = null;
  sendTransport: mc.Transport | null = null;
  recvTransport: mc.Transport | null = null;
  readonly producers = new Map<string, mc.Producer>();
  readonly consumers = new Map<string, ConsumerEntry>();
  /** consumer ids the server closed (call:consumer:closed). */
  readonly closedConsumers: string[] = [];
  readonly closedProducers: { producerId: string; uid: string }[] = [];
  readonly errors: unknown[] = [];
  private readonly audioSource = new wrtc.nonstandard.RTCAudioSource();
  private readonly videoSource = new wrtc.nonstandard.RTCVideoSource();
  private readonly audioTrack = this.audioSource.createTrack();
  private readonly videoTrack = this.videoSource.createTrack();
  private timers: NodeJS.Timeout[] = [];
  private consumedProducers = new Set<string>();
  private pending: Pick<ProducerInfo, 'producerId' | 'uid'>[] = [];
  private generation = 0;
  private frame = 0;

  constructor(
    readonly name: string,
    readonly uid: string,
    readonly socket: TestSocket,
  ) {
    socket.on('call:producer:new', (p) => {
      if (p.callid !== this.callid) return;
      // While (re)joining, producers announced before the receive transport exists wait for it.
      if (!this.recvTransport) this.pending.push(p);
      else void this.consume(p).catch((err) => this.errors.push(err));
    });
    socket.on('call:consumer:closed', ({ consumerId }) => {
      this.closedConsumers.push(consumerId);
      const entry = this.consumers.get(consumerId);
      entry?.consumer.close();
      this.consumers.delete(consumerId);
    });
    socket.on('call:producer:closed', ({ producerId, uid }) => this.closedProducers.push({ producerId, uid }));
    this.startSources();
    const key = `${name}#${++peerSeq}`;
    livePeers.add(key);
    peerRegistry.register(this, key);
  }

  /** Joins (or re-joins after call:reconnectMedia): load the router's codecs, create both transports, send mic + camera, receive everyone. */
  async join(callid: string): Promise<JoinResult> {
    this.callid = callid;
    this.resetMedia();
    const generation = ++this.generation;
    const joined = await request<JoinResult>(this.socket, 'call:join', { callid });
    const device = new Device({ handlerName: 'Chrome111' });
    await device.load({ routerRtpCapabilities: joined.routerRtpCapabilities as unknown as mc.RtpCapabilities });
    this.device = device;
    this.sendTransport = await this.createTransport('send');
    this.recvTransport = await this.createTransport('recv');
    if (generation !== this.generation) return joined;
    const mic = await this.sendTransport.produce({ track: this.audioTrack, appData: { source: 'mic' }, stopTracks: false });
    const cam = await this.sendTransport.produce({
      track: this.videoTrack,
      appData: { source: 'camera' },
      stopTracks: false,
      codecOptions: { videoGoogleStartBitrate: 300 },
    });
    this.producers.set('mic', mic);
    this.producers.set('camera', cam);
    const waiting = this.pending.splice(0);
    for (const p of [...joined.producers, ...waiting]) await this.consume(p).catch((err) => this.errors.push(err));
    return joined;
  }

  private async createTransport(direction: 'send' | 'recv'): Promise<mc.Transport> {
    const info = await request<TransportInfo>(this.socket, 'call:transport:create', { callid: this.callid, direction });
    const options = {
      id: info.transportId,
      iceParameters: info.iceParameters as unknown as mc.IceParameters,
      iceCandidates: info.iceCandidates as unknown as mc.IceCandidate[],
      dtlsParameters: info.dtlsParameters as unknown as mc.DtlsParameters,
    };
    const transport = direction === 'send' ? this.device!.createSendTransport(options) : this.device!.createRecvTransport(options);
    transport.on('connect', ({ dtlsParameters }, ok, fail) => {
      request(this.socket, 'call:transport:connect', { callid: this.callid, transportId: transport.id, dtlsParameters }).then(() => ok(), fail);
    });
    transport.on('produce', ({ kind, rtpParameters, appData }, ok, fail) => {
      request<{ producerId: string }>(this.socket, 'call:produce', {
        callid: this.callid,
        transportId: transport.id,
        kind,
        rtpParameters,
        source: (appData as { source: string }).source,
      }).then(({ producerId }) => ok({ id: producerId }), fail);
    });
    return transport;
  }

  async consume(p: Pick<ProducerInfo, 'producerId' | 'uid'>): Promise<void> {
    if (!this.device || !this.recvTransport || this.consumedProducers.has(p.producerId) || p.uid === this.uid) return;
    this.consumedProducers.add(p.producerId);
    const recv = this.recvTransport;
    const res = await request<ConsumeResult>(this.socket, 'call:consume', {
      callid: this.callid,
      producerId: p.producerId,
      rtpCapabilities: this.device.rtpCapabilities,
    });
    if (recv !== this.recvTransport || recv.closed) return;
    const consumer = await recv.consume({
      id: res.consumerId,
      producerId: res.producerId,
      kind: res.kind,
      rtpParameters: res.rtpParameters as unknown as mc.RtpParameters,
    });
    this.consumers.set(consumer.id, { consumer, uid: res.uid, source: res.source, kind: res.kind });
    await request(this.socket, 'call:consumer:resume', { callid: this.callid, consumerId: consumer.id });
  }

  /** packetsReceived per `<uid>:<kind>` over this peer's consumers (inbound-rtp stats of the receive transport, by SSRC). */
  async received(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    const recv = this.recvTransport;
    if (!recv || recv.closed) return out;
    const bySsrc = new Map<number, string>();
    for (const entry of this.consumers.values()) {
      if (entry.consumer.closed) continue;
      const key = `${entry.uid}:${entry.kind}`;
      out[key] = 0;
      for (const enc of entry.consumer.rtpParameters.encodings ?? []) if (enc.ssrc) bySsrc.set(enc.ssrc, key);
    }
    let report: RTCStatsReport;
    try {
      report = await recv.getStats();
    } catch {
      return out;
    }
    report.forEach((s: any) => {
      if (s.type !== 'inbound-rtp') return;
      const key = bySsrc.get(s.ssrc);
      if (key) out[key] += s.packetsReceived ?? 0;
    });
    return out;
  }

  async pause(source: 'mic' | 'camera'): Promise<void> {
    const producer = this.producers.get(source)!;
    producer.pause();
    await request(this.socket, 'call:producer:pause', { callid: this.callid, producerId: producer.id });
  }

  async resume(source: 'mic' | 'camera'): Promise<void> {
    const producer = this.producers.get(source)!;
    producer.resume();
    await request(this.socket, 'call:producer:resume', { callid: this.callid, producerId: producer.id });
  }

  async leave(): Promise<void> {
    await request(this.socket, 'call:leave', { callid: this.callid });
    this.resetMedia();
  }

  private resetMedia(): void {
    this.pending = [];
    for (const { consumer } of this.consumers.values()) consumer.close();
    this.consumers.clear();
    this.consumedProducers.clear();
    for (const p of this.producers.values()) p.close();
    this.producers.clear();
    this.sendTransport?.close();
    this.recvTransport?.close();
    this.sendTransport = null;
    this.recvTransport = null;
  }

  close(): void {
    this.generation++;
    this.resetMedia();
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.audioTrack.stop();
    this.videoTrack.stop();
    this.socket.close();
  }

  private startSources(): void {
    this.timers.push(startTone(this.audioSource));
    const data = new Uint8Array(VIDEO_W * VIDEO_H * 1.5);
    this.timers.push(
      setInterval(() => {
        this.frame++;
        data.fill(16 + (this.frame % 200), 0, VIDEO_W * VIDEO_H);
        data.fill(128, VIDEO_W * VIDEO_H);
        this.videoSource.onFrame({ width: VIDEO_W, height: VIDEO_H, data });
      }, 66),
    );
  }
}

export type { CallInfo };
