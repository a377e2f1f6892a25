import { EventEmitter } from 'node:events';
import type { types } from 'mediasoup';
import { MediaError, MediaNotFoundError, MediaRequestError, RoomClosedError } from './errors';
import type { MediaWorker } from './MediaWorker';
import { ProducerPipes } from './ProducerPipes';
import { RemotePipes } from './RemotePipes';
import type { PipeEndpoint, PipeOffer, ProducerImporter } from './RemotePipesTypes';
import { RoomRouters } from './RoomRouters';
import type { RoomRouter, RoomWorkerSource } from './RoomRoutersTypes';
import { RoomSpeakers } from './RoomSpeakers';
import { weigh } from './workerLoad';
import type {
  ConsumerRecord,
  PeerPlacement,
  ProducerRecord,
  ProducerSource,
  RoomEvents,
  RoomStats,
  RoomWorkerStats,
  TransportConnectivity,
  TransportDirection,
  WebRtcTransportParams,
} from './RoomTypes';

interface PeerMedia {
  /** The worker the peer was placed on (its load counted there until the peer leaves). */
  worker: MediaWorker;
  /** The room's router on that worker, once it exists. */
  place: RoomRouter | null;
  placed: Promise<RoomRouter>;
  transports: Map<string, { transport: types.WebRtcTransport; direction: TransportDirection }>;
  producers: Map<string, types.Producer>;
  consumers: Map<string, types.Consumer>;
}

interface ProducerData extends types.AppData {
  peerId: string;
  source: ProducerSource;
}

/**
 * One call's (or stream's) media. A spread room (calls) has a router on every worker one of its
 * peers was placed on, each peer's transports on its worker's WebRtcServer, and producers piped to
 * the routers whose consumers need them (ProducerPipes); otherwise (live streams) one router holds
 * everything. One ActiveSpeakerObserver on the home router hears every audio producer. A dead
 * worker takes only the peers placed on it (`peersLost`); the room is lost (`closed`, lost: true)
 * when it has no router left. Peer ids are the caller's (user ids for calls). Every mediasoup
 * failure surfaces as a MediaError.
 */
export class Room extends EventEmitter<RoomEvents> {
  private readonly peers = new Map<string, PeerMedia>();
  private readonly pipes = new ProducerPipes();
  private readonly remote = new RemotePipes((pipeId) => this.emit('pipeEnded', { pipeId }));
  private readonly speakers: RoomSpeakers;
  private closedFlag = false;

  private constructor(
    readonly id: string,
    private readonly routers: RoomRouters,
    private home: RoomRouter,
  ) {
    super();
    this.speakers = new RoomSpeakers(this.pipes, (producer) => {
      this.emit('activeSpeaker', (producer.appData as ProducerData).peerId ?? null);
    });
    routers.on('lost', (lost) => this.onRouterLost(lost));
  }

  /** A room whose home router is on `home`; with `workers`, peers spread over them (RoomOptions.spread). */
  static async create(id: string, home: MediaWorker, workers: RoomWorkerSource | null = null): Promise<Room> {
    const created = await wrap(() => RoomRouters.create(home, workers));
    const room = new Room(id, created.routers, created.home);
    try {
      await room.speakers.observeOn(created.home);
      return room;
    } catch (err) {
      room.close();
      throw toMediaError(err);
    }
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  /** The home router's worker (where the room started, or the survivor that took over). */
  get worker(): MediaWorker {
    return this.home.worker;
  }

  /** The home router: the only one of a room that does not spread. */
  get router(): types.Router {
    return this.home.router;
  }

  get rtpCapabilities(): types.RtpCapabilities {
    // Every router of the room has the same codecs, so the same capabilities.
    return this.home.router.rtpCapabilities;
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

  /** The room's part on each worker it uses. */
  workerStats(): RoomWorkerStats[] {
    const pipes = this.pipes.countByRouter();
    const remotePipes = this.remote.countByRouter();
    return this.routers.all().map(({ worker, router }) => {
      const s: RoomWorkerStats = {
        workerPid: worker.pid,
        port: worker.port,
        peers: 0,
        transports: 0,
        producers: 0,
        consumers: 0,
        pipes: pipes.get(router) ?? 0,
        remotePipes: remotePipes.get(router) ?? 0,
      };
      for (const peer of this.peers.values()) {
        if (peer.place?.router !== router) continue;
        s.peers += 1;
        s.transports += peer.transports.size;
        s.producers += peer.producers.size;
        s.consumers += peer.consumers.size;
      }
      return s;
    });
  }

  /** The worker and WebRtcServer port of the peer's transports (null before it has a router). */
  placement(peerId: string): PeerPlacement | null {
    const place = this.peers.get(peerId)?.place;
    return place ? { workerPid: place.worker.pid, port: place.worker.port } : null;
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
    const peer = this.placePeer(peerId);
    const place = await peer.placed;
    const transport = await wrap(() =>
      place.router.createWebRtcTransport({
        webRtcServer: place.worker.webRtcServer,
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
    if (this.peers.get(peerId) !== peer) {
      // The peer left (or was lost with its worker) meanwhile.
      transport.close();
      throw new MediaNotFoundError('peer', peerId);
    }
    peer.transports.set(transport.id, { transport, direction });
    weigh(place.worker, transport.observer);
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
    const place = placeOf(peer);
    const producer = await wrap(() => transport.produce<ProducerData>({ kind, rtpParameters, appData: { peerId, source } }));
    peer.producers.set(producer.id, producer);
    producer.observer.once('close', () => {
      // Kept when its router died: peersLost reports it.
      if (!place.router.closed) peer.producers.delete(producer.id);
    });
    producer.on('score', (scores) => {
      // Simulcast sends a score per encoding: the best one is what arrives.
      const score = scores.reduce((best, s) => Math.max(best, s.score), 0);
      this.emit('producerScore', { peerId, producerId: producer.id, kind, score });
    });
    if (kind === 'audio') await this.speakers.add(producer, place);
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

  /**
   * A paused consumer of a producer on the peer's receive transport (the newest one); the producer
   * is piped to the peer's router first when it is on another one.
   */
  async consume(peerId: string, producerId: string, rtpCapabilities: types.RtpCapabilities): Promise<ConsumerRecord> {
    const peer = this.peer(peerId);
    const recv = [...peer.transports.values()].reverse().find((t) => t.direction === 'recv');
    if (!recv) throw new MediaRequestError('create a recv transport before consuming');
    const to = placeOf(peer);
    let source = this.findProducer(producerId);
    let releaseImport: (() => void) | null = null;
    if (!source) {
      // Held by another process: imported over a PipeTransport (once; later consumers share it).
      const got = await wrap(() => this.remote.acquire(producerId, to));
      if (got) {
        source = { producer: got.imported.producer, place: got.imported.place };
        releaseImport = got.release;
      }
    }
    if (!source) throw new MediaNotFoundError('producer', producerId);
    try {
      return await this.consumeFrom(peer, peerId, recv.transport, source, to, rtpCapabilities, releaseImport);
    } catch (err) {
      releaseImport?.();
      throw err;
    }
  }

  private async consumeFrom(
    peer: PeerMedia,
    peerId: string,
    recv: types.WebRtcTransport,
    source: { producer: types.Producer; place: RoomRouter },
    to: RoomRouter,
    rtpCapabilities: types.RtpCapabilities,
    releaseImport: (() => void) | null,
  ): Promise<ConsumerRecord> {
    const producerId = source.producer.id;
    const sourceData = source.producer.appData as ProducerData;
    if (sourceData.peerId === peerId) throw new MediaRequestError('a peer does not consume its own producer');
    let canConsume = false;
    try {
      // Every router of the room has the same capabilities: the producer's own one answers.
      canConsume = source.place.router.canConsume({ producerId, rtpCapabilities });
    } catch {
      canConsume = false;
    }
    if (!canConsume) throw new MediaRequestError('these RTP capabilities cannot receive that producer');
    const release = source.place === to ? null : await wrap(() => this.pipes.acquire(source.producer, source.place, to));
    let consumer: types.Consumer;
    try {
      consumer = await wrap(() =>
        recv.consume({ producerId, rtpCapabilities, paused: true, appData: { peerId, producerPeerId: sourceData.peerId, source: sourceData.source } }),
      );
    } catch (err) {
      release?.();
      throw err;
    }
    peer.consumers.set(consumer.id, consumer);
    weigh(to.worker, consumer.observer);
    consumer.observer.once('close', () => {
      peer.consumers.delete(consumer.id);
      // The pipe (and an import) goes with its last consumer.
      release?.();
      releaseImport?.();
    });
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

  /** Lets this room import producers other processes hold (calls spread across processes). */
  importFrom(importer: ProducerImporter): void {
    this.remote.setImporter(importer);
  }

  /**
   * Another process asks for one of this room's own producers: piped to its PipeTransport.
   * Null when the room does not hold it (or takes no part in cross-process pipes).
   */
  async pipeOut(producerId: string, receiver: PipeEndpoint, to: string): Promise<PipeOffer | null> {
    const listen = this.remote.listen;
    const own = this.closedFlag ? undefined : this.findProducer(producerId);
    if (!own || !listen) return null;
    return wrap(() => this.remote.pipeOut(own.producer, own.place, receiver, to, listen));
  }

  /** The processes this room pipes producers to (named as they asked, `to` of pipeOut). */
  pipesTo(): Set<string> {
    return this.remote.outsTo();
  }

  /** Those processes are gone: the pipes to them close. */
  closePipesTo(gone: Set<string>): void {
    this.remote.closeOutsTo(gone);
  }

  /**
   * Lets the active speaker observer hear an audio producer another process holds: imported to
   * the home router and held there until it closes (one audio pipe per remote speaker).
   */
  async observeRemoteAudio(producerId: string): Promise<void> {
    if (this.closedFlag || this.findProducer(producerId)) return;
    const got = await wrap(() => this.remote.acquire(producerId, this.home));
    if (!got) return;
    if (got.imported.producer.kind !== 'audio') {
      got.release();
      return;
    }
    await this.speakers.add(got.imported.producer, got.imported.place);
  }

  /** A producer imported from another process is gone there (that process may be dead): the import closes. */
  dropImport(producerId: string): void {
    this.remote.dropImport(producerId);
  }

  /** The other side of a pipe between processes ended it. */
  closePipe(pipeId: string): void {
    this.remote.close(pipeId);
  }

  /**
   * A router on which all these producers can be consumed (for taps such as a recorder): the one
   * already holding most of them, the others piped there (and those held by other processes
   * imported). Those pipes are held until their producer closes, since the caller's own
   * consumers are not counted here.
   */
  async routerWith(producerIds: string[]): Promise<types.Router> {
    const sources: { producer: types.Producer; place: RoomRouter }[] = [];
    for (const id of producerIds) {
      let found = this.findProducer(id);
      if (!found) {
        // Held by another process: imported to the home router (held like the pipes below).
        const got = await wrap(() => this.remote.acquire(id, this.home));
        if (got) found = { producer: got.imported.producer, place: got.imported.place };
      }
      if (!found) throw new MediaNotFoundError('producer', id);
      sources.push(found);
    }
    const counts = new Map<RoomRouter, number>();
    for (const { place } of sources) counts.set(place, (counts.get(place) ?? 0) + 1);
    let target = this.home;
    for (const [place, n] of counts) if (n > (counts.get(target) ?? 0)) target = place;
    await wrap(() => Promise.all(sources.filter((s) => s.place !== target).map((s) => this.pipes.acquire(s.producer, s.place, target))));
    return target.router;
  }

  /**
   * Closes the peer's transports (and with them its producers and consumers). Answers the producers
   * that went away; the other peers' consumers of them are reported as consumerClosed.
   */
  removePeer(peerId: string): ProducerRecord[] {
    const peer = this.peers.get(peerId);
    if (!peer) return [];
    this.forgetPeer(peerId, peer);
    const producers = [...peer.producers.values()].map(producerRecord);
    for (const { transport } of [...peer.transports.values()]) transport.close();
    return producers;
  }

  hasPeer(peerId: string): boolean {
    return this.peers.has(peerId);
  }

  close(): void {
    if (this.closedFlag) return;
    this.routers.close();
    this.markClosed(false);
  }

  /** A worker died with one of the room's routers: its peers are lost, the rest of the room goes on. */
  private onRouterLost(lost: RoomRouter): void {
    if (this.closedFlag) return;
    this.pipes.dropRouter(lost);
    const gone = [...this.peers].filter(([, peer]) => peer.worker === lost.worker);
    const producers: ProducerRecord[] = [];
    for (const [peerId, peer] of gone) {
      this.forgetPeer(peerId, peer);
      producers.push(...[...peer.producers.values()].map(producerRecord));
    }
    if (this.routers.size === 0) {
      this.markClosed(true);
      return;
    }
    if (lost === this.home) {
      this.home = this.routers.all()[0]!;
      void this.speakers.observeOn(this.home).catch(() => undefined);
    }
    if (gone.length) this.emit('peersLost', { workerPid: lost.worker.pid, peerIds: gone.map(([id]) => id), producers });
  }

  private markClosed(lost: boolean): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    for (const [peerId, peer] of [...this.peers]) this.forgetPeer(peerId, peer);
    this.emit('closed', { lost });
  }

  /** The peer, placed on the least-loaded worker when new (its router made when missing). */
  private placePeer(peerId: string): PeerMedia {
    if (this.closedFlag) throw new RoomClosedError(this.id);
    const existing = this.peers.get(peerId);
    if (existing) return existing;
    const worker = this.routers.pick(this.home);
    worker.load += 1;
    const peer: PeerMedia = { worker, place: null, placed: Promise.resolve(this.home), transports: new Map(), producers: new Map(), consumers: new Map() };
    peer.placed = wrap(() => this.routers.at(worker)).then(
      (place) => {
        peer.place = place;
        return place;
      },
      (err: unknown) => {
        if (this.peers.get(peerId) === peer) this.forgetPeer(peerId, peer);
        throw err;
      },
    );
    this.peers.set(peerId, peer);
    return peer;
  }

  private forgetPeer(peerId: string, peer: PeerMedia): void {
    if (this.peers.get(peerId) !== peer) return;
    this.peers.delete(peerId);
    peer.worker.load = Math.max(0, peer.worker.load - 1);
  }

  private peer(peerId: string): PeerMedia {
    if (this.closedFlag) throw new RoomClosedError(this.id);
    const peer = this.peers.get(peerId);
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

  private findProducer(producerId: string): { producer: types.Producer; place: RoomRouter } | undefined {
    for (const peer of this.peers.values()) {
      const producer = peer.producers.get(producerId);
      if (producer && peer.place) return { producer, place: peer.place };
    }
    return undefined;
  }
}

/** The peer's router: it has one once it has a transport. */
function placeOf(peer: PeerMedia): RoomRouter {
  if (!peer.place) throw new MediaRequestError('create a transport first');
  return peer.place;
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
