import { EventEmitter } from 'node:events';
import type { types } from 'mediasoup';
import { callMediaCodecs } from './codecs';
import { MediaError, MediaNotFoundError, MediaRequestError, RoomClosedError } from './errors';
import type { MediaWorker } from './MediaWorker';
import type {
  ConsumerRecord,
  ProducerRecord,
  ProducerSource,
  RoomEvents,
  RoomStats,
  TransportConnectivity,
  TransportDirection,
  WebRtcTransportParams,
} from './RoomTypes';

interface PeerMedia {
  transports: Map<string, { transport: types.WebRtcTransport; direction: TransportDirection }>;
  producers: Map<string, types.Producer>;
  consumers: Map<string, types.Consumer>;
}

interface ProducerData extends types.AppData {
  peerId: string;
  source: ProducerSource;
}

/**
 * One call's media: a mediasoup Router on one worker, an ActiveSpeakerObserver over its audio, and
 * per peer its WebRTC transports (on the worker's WebRtcServer), producers and consumers. Peer ids
 * are the caller's (user ids for calls). Every mediasoup failure surfaces as a MediaError.
 */
export class Room extends EventEmitter<RoomEvents> {
  private readonly peers = new Map<string, PeerMedia>();
  private closedFlag = false;

  private constructor(
    readonly id: string,
    readonly worker: MediaWorker,
    readonly router: types.Router,
    private readonly speakers: types.ActiveSpeakerObserver,
  ) {
    super();
    speakers.on('dominantspeaker', ({ producer }) => {
      this.emit('activeSpeaker', (producer.appData as ProducerData).peerId ?? null);
    });
    router.observer.once('close', () => this.markClosed(worker.closed));
  }

  static async create(id: string, worker: MediaWorker): Promise<Room> {
    const router = await wrap(() => worker.worker.createRouter({ mediaCodecs: callMediaCodecs }));
    try {
      const speakers = await router.createActiveSpeakerObserver({ interval: 300 });
      return new Room(id, worker, router, speakers);
    } catch (err) {
      router.close();
      throw toMediaError(err);
    }
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  get rtpCapabilities(): types.RtpCapabilities {
    return this.router.rtpCapabilities;
  }

  stats(): RoomStats {
    const s: RoomStats = { peers: this.peers.size, transports: 0, producers: 0, consumers: 0 };
    for (const peer of this.peers.values()) {
      s.transports += peer.transports.size;
      s.producers += peer.producers.size;
      s.consumers += peer.consumers.size;
    }
    return s;
  }

  /**
   * A router that holds (or can reach) every one of these producers, for taps such as recordings.
   * One router per room today; a room spread over workers pipes the producers to one of them.
   */
  async routerWith(_ids: string[]): Promise<types.Router> {
    return this.router;
  }

  /** Every producer in the room, except the given peer's. */
  producers(exceptPeerId?: string): ProducerRecord[] {
    const list: ProducerRecord[] = [];
    for (const [peerId, peer] of this.peers) {
      if (peerId === exceptPeerId) continue;
      for (const producer of peer.producers.values()) list.push(producerRecord(producer));
    }
    return list;
  }

  async createWebRtcTransport(peerId: string, direction: TransportDirection): Promise<WebRtcTransportParams> {
    const peer = this.peer(peerId, true);
    const transport = await wrap(() =>
      this.router.createWebRtcTransport({
        webRtcServer: this.worker.webRtcServer,
        enableUdp: true,
        enableTcp: true,
        preferUdp: true,
        initialAvailableOutgoingBitrate: 1_000_000,
        appData: { peerId, direction },
      }),
    );
    if (this.closedFlag) {
      transport.close();
      throw new RoomClosedError(this.id);
    }
    peer.transports.set(transport.id, { transport, direction });
    transport.observer.once('close', () => peer.transports.delete(transport.id));
    return {
      transportId: transport.id,
      iceParameters: transport.iceParameters,
      iceCandidates: transport.iceCandidates,
      dtlsParameters: transport.dtlsParameters,
    };
  }

  async connectTransport(peerId: string, transportId: string, dtlsParameters: types.DtlsParameters): Promise<void> {
    const { transport } = this.transport(peerId, transportId);
    await wrap(() => transport.connect({ dtlsParameters }));
  }

  /**
   * Reports a transport's connectivity until it closes: for publishers without a signaling
   * channel (WHIP encoders), whose media going away is the only sign that they left.
   */
  watchTransport(peerId: string, transportId: string, onState: (state: TransportConnectivity) => void): void {
    const { transport } = this.transport(peerId, transportId);
    transport.on('dtlsstatechange', (state) => {
      if (state === 'connected') onState('connected');
      else if (state === 'failed' || state === 'closed') onState('closed');
    });
    transport.on('icestatechange', (state) => {
      if (state === 'disconnected') onState('disconnected');
      else if ((state === 'connected' || state === 'completed') && transport.dtlsState === 'connected') onState('connected');
    });
    transport.observer.once('close', () => onState('closed'));
  }

  async restartIce(peerId: string, transportId: string): Promise<types.IceParameters> {
    const { transport } = this.transport(peerId, transportId);
    return wrap(() => transport.restartIce());
  }

  async produce(
    peerId: string,
    transportId: string,
    kind: types.MediaKind,
    rtpParameters: types.RtpParameters,
    source: ProducerSource,
  ): Promise<ProducerRecord> {
    const { transport, direction } = this.transport(peerId, transportId);
    if (direction !== 'send') throw new MediaRequestError('produce on a send transport');
    const peer = this.peer(peerId);
    const producer = await wrap(() => transport.produce<ProducerData>({ kind, rtpParameters, appData: { peerId, source } }));
    peer.producers.set(producer.id, producer);
    producer.observer.once('close', () => peer.producers.delete(producer.id));
    producer.on('score', (scores) => {
      // Simulcast sends a score per encoding: the best one is what arrives.
      const score = scores.reduce((best, s) => Math.max(best, s.score), 0);
      this.emit('producerScore', { peerId, producerId: producer.id, kind, score });
    });
    if (kind === 'audio') {
      await this.speakers.addProducer({ producerId: producer.id }).catch(() => undefined);
    }
    return producerRecord(producer);
  }

  producer(peerId: string, producerId: string): ProducerRecord {
    return producerRecord(this.ownProducer(peerId, producerId));
  }

  async pauseProducer(peerId: string, producerId: string): Promise<ProducerRecord> {
    const producer = this.ownProducer(peerId, producerId);
    await wrap(() => producer.pause());
    return producerRecord(producer);
  }

  async resumeProducer(peerId: string, producerId: string): Promise<ProducerRecord> {
    const producer = this.ownProducer(peerId, producerId);
    await wrap(() => producer.resume());
    return producerRecord(producer);
  }

  /** Closes the peer's producer; mediasoup closes its consumers (each reported as consumerClosed). */
  closeProducer(peerId: string, producerId: string): ProducerRecord {
    const producer = this.ownProducer(peerId, producerId);
    const record = producerRecord(producer);
    producer.close();
    return record;
  }

  /** A paused consumer of a producer on the peer's receive transport (the newest one). */
  async consume(peerId: string, producerId: string, rtpCapabilities: types.RtpCapabilities): Promise<ConsumerRecord> {
    const peer = this.peer(peerId);
    const recv = [...peer.transports.values()].reverse().find((t) => t.direction === 'recv');
    if (!recv) throw new MediaRequestError('create a recv transport before consuming');
    const source = this.findProducer(producerId);
    if (!source) throw new MediaNotFoundError('producer', producerId);
    const sourceData = source.appData as ProducerData;
    if (sourceData.peerId === peerId) throw new MediaRequestError('a peer does not consume its own producer');
    let canConsume = false;
    try {
      canConsume = this.router.canConsume({ producerId, rtpCapabilities });
    } catch {
      canConsume = false;
    }
    if (!canConsume) throw new MediaRequestError('these RTP capabilities cannot receive that producer');
    const consumer = await wrap(() =>
      recv.transport.consume({ producerId, rtpCapabilities, paused: true, appData: { peerId, producerPeerId: sourceData.peerId, source: sourceData.source } }),
    );
    peer.consumers.set(consumer.id, consumer);
    consumer.observer.once('close', () => peer.consumers.delete(consumer.id));
    consumer.on('producerclose', () => this.emit('consumerClosed', { peerId, consumerId: consumer.id, producerId }));
    consumer.on('layerschange', (layers) =>
      this.emit('consumerLayers', {
        peerId,
        consumerId: consumer.id,
        spatialLayer: layers?.spatialLayer ?? null,
        temporalLayer: layers?.temporalLayer ?? null,
      }),
    );
    consumer.on('score', (score) =>
      this.emit('consumerScore', { peerId, consumerId: consumer.id, score: score.score, producerScore: score.producerScore }),
    );
    return {
      consumerId: consumer.id,
      producerId,
      peerId,
      producerPeerId: sourceData.peerId,
      kind: consumer.kind,
      source: sourceData.source,
      rtpParameters: consumer.rtpParameters,
      paused: consumer.paused,
    };
  }

  async resumeConsumer(peerId: string, consumerId: string): Promise<void> {
    const consumer = this.ownConsumer(peerId, consumerId);
    await wrap(() => consumer.resume());
  }

  async pauseConsumer(peerId: string, consumerId: string): Promise<void> {
    const consumer = this.ownConsumer(peerId, consumerId);
    await wrap(() => consumer.pause());
  }

  /** Every consumer and whether it is paused (subscription choices, tests' call:debug). */
  consumers(): Omit<ConsumerRecord, 'rtpParameters'>[] {
    return [...this.peers.entries()].flatMap(([peerId, peer]) =>
      [...peer.consumers.values()].map((c) => {
        const { producerPeerId, source } = c.appData as { producerPeerId: string; source: ProducerSource };
        return { consumerId: c.id, producerId: c.producerId, peerId, producerPeerId, kind: c.kind, source, paused: c.paused };
      }),
    );
  }

  async setConsumerLayers(peerId: string, consumerId: string, spatialLayer: number, temporalLayer?: number): Promise<void> {
    const consumer = this.ownConsumer(peerId, consumerId);
    if (consumer.type !== 'simulcast' && consumer.type !== 'svc') return;
    await wrap(() => consumer.setPreferredLayers({ spatialLayer, ...(temporalLayer !== undefined ? { temporalLayer } : {}) }));
  }

  /**
   * Closes the peer's transports (and with them its producers and consumers). Answers the producers
   * that went away; the other peers' consumers of them are reported as consumerClosed.
   */
  removePeer(peerId: string): ProducerRecord[] {
    const peer = this.peers.get(peerId);
    if (!peer) return [];
    this.peers.delete(peerId);
    const producers = [...peer.producers.values()].map(producerRecord);
    for (const { transport } of [...peer.transports.values()]) transport.close();
    return producers;
  }

  hasPeer(peerId: string): boolean {
    return this.peers.has(peerId);
  }

  close(): void {
    if (!this.router.closed) this.router.close();
    this.markClosed(false);
  }

  private markClosed(lost: boolean): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    this.peers.clear();
    this.emit('closed', { lost });
  }

  private peer(peerId: string, create = false): PeerMedia {
    if (this.closedFlag) throw new RoomClosedError(this.id);
    let peer = this.peers.get(peerId);
    if (!peer && create) {
      peer = { transports: new Map(), producers: new Map(), consumers: new Map() };
      this.peers.set(peerId, peer);
    }
    if (!peer) throw new MediaNotFoundError('peer', peerId);
    return peer;
  }

  private transport(peerId: string, transportId: string) {
    const found = this.peer(peerId).transports.get(transportId);
    if (!found) throw new MediaNotFoundError('transport', transportId);
    return found;
  }

  private ownProducer(peerId: string, producerId: string): types.Producer {
    const producer = this.peer(peerId).producers.get(producerId);
    if (!producer) throw new MediaNotFoundError('producer', producerId);
    return producer;
  }

  private ownConsumer(peerId: string, consumerId: string): types.Consumer {
    const consumer = this.peer(peerId).consumers.get(consumerId);
    if (!consumer) throw new MediaNotFoundError('consumer', consumerId);
    return consumer;
  }

  private findProducer(producerId: string): types.Producer | undefined {
    for (const peer of this.peers.values()) {
      const producer = peer.producers.get(producerId);
      if (producer) return producer;
    }
    return undefined;
  }
}

function producerRecord(producer: types.Producer): ProducerRecord {
  const data = producer.appData as ProducerData;
  return { producerId: producer.id, peerId: data.peerId, kind: producer.kind, source: data.source, paused: producer.paused };
}

/** mediasoup's own errors (closed objects, bad parameters) as MediaErrors. */
function toMediaError(err: unknown): MediaError {
  if (err instanceof MediaError) return err;
  const name = (err as { name?: string })?.name;
  const message = (err as { message?: string })?.message ?? String(err);
  if (name === 'InvalidStateError') return new MediaError('media_unavailable', message);
  if (name === 'TypeError' || name === 'UnsupportedError') return new MediaRequestError(message);
  return new MediaError('media_error', message);
}

async function wrap<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw toMediaError(err);
  }
}
