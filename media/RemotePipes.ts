import type { types } from 'mediasoup';
import { MediaRequestError } from './errors';
import type { PipeEndpoint, PipeListen, PipeOffer, ProducerImporter } from './RemotePipesTypes';
import type { RoomRouter } from './RoomRoutersTypes';
import type { ProducerSource } from './RoomTypes';
import { weigh } from './workerLoad';

interface Imported {
  pipeId: string;
  place: RoomRouter;
  producer: types.Producer;
  transport: types.PipeTransport;
  users: number;
}

interface PipedOut {
  place: RoomRouter;
  transport: types.PipeTransport;
  /** The importing process. */
  to: string;
}

/**
 * A room's producers crossing to and from other processes over PipeTransports (SRTP on). The
 * process that needs a producer it does not hold imports it (`acquire`): it opens a PipeTransport,
 * the holder (`pipeOut`) opens its own, connects to it and consumes the producer into it, and the
 * importer produces it with the same id. An import lives while local consumers use it; a pipe
 * ends on either side when its producer or router goes, and the other side is told (`onEnded`).
 */
export class RemotePipes {
  private readonly imports = new Map<string, Promise<Imported | null>>();
  private readonly importsByPipe = new Map<string, Imported>();
  private readonly outs = new Map<string, PipedOut>();

  private importer: ProducerImporter | null = null;

  constructor(
    /** A pipe-out ended by itself (its producer or router gone): the importer must drop it. */
    private readonly onEnded: (pipeId: string) => void,
  ) {}

  setImporter(importer: ProducerImporter): void {
    this.importer = importer;
  }

  /** Where pipes listen; null when the room takes no part in cross-process pipes. */
  get listen(): PipeListen | null {
    return this.importer?.listen ?? null;
  }

  /** Sends one of the room's own producers (on `place`) to another process's pipe. */
  async pipeOut(producer: types.Producer, place: RoomRouter, receiver: PipeEndpoint, to: string, listen: PipeListen): Promise<PipeOffer> {
    const transport = await place.router.createPipeTransport({ listenInfo: listenInfo(listen), enableSrtp: true });
    try {
      await transport.connect({ ip: receiver.ip, port: receiver.port, srtpParameters: receiver.srtpParameters });
      const consumer = await transport.consume({ producerId: producer.id });
      weigh(place.worker, consumer.observer);
      this.outs.set(transport.id, { place, transport, to });
      consumer.observer.once('close', () => transport.close());
      transport.observer.once('close', () => {
        if (this.outs.delete(transport.id)) this.onEnded(transport.id);
      });
      const data = producer.appData as { peerId: string; source: ProducerSource };
      return {
        ...endpoint(transport),
        pipeId: transport.id,
        producerId: producer.id,
        kind: consumer.kind,
        rtpParameters: consumer.rtpParameters,
        paused: consumer.producerPaused,
        peerId: data.peerId,
        source: data.source,
      };
    } catch (err) {
      transport.close();
      throw err;
    }
  }

  /**
   * The producer imported into `place` (made once per room; later users share it), with a release
   * for this user; undefined when no other process holds it.
   */
  async acquire(producerId: string, place: RoomRouter): Promise<{ imported: Imported; release: () => void } | undefined> {
    let pending = this.imports.get(producerId);
    if (!pending) {
      pending = this.open(producerId, place);
      this.imports.set(producerId, pending);
      pending.then(
        (found) => {
          if (!found && this.imports.get(producerId) === pending) this.imports.delete(producerId);
        },
        () => {
          if (this.imports.get(producerId) === pending) this.imports.delete(producerId);
        },
      );
    }
    const imported = await pending;
    if (!imported || imported.producer.closed) return undefined;
    imported.users += 1;
    let released = false;
    return {
      imported,
      release: () => {
        if (released) return;
        released = true;
        imported.users -= 1;
        if (imported.users === 0) imported.transport.close();
      },
    };
  }

  /** The other side ended a pipe: an import closes (its consumers with it), a pipe-out stops sending. */
  close(pipeId: string): void {
    const out = this.outs.get(pipeId);
    if (out) {
      this.outs.delete(pipeId);
      out.transport.close();
    }
    const imported = this.importsByPipe.get(pipeId);
    if (imported) {
      this.importsByPipe.delete(pipeId);
      imported.transport.close();
    }
  }

  /** Pipes to processes that are gone (they cannot hang up): closed. */
  closeOutsTo(gone: Set<string>): void {
    for (const [pipeId, out] of [...this.outs]) if (gone.has(out.to)) this.close(pipeId);
  }

  /** The processes this room pipes to. */
  outsTo(): Set<string> {
    return new Set([...this.outs.values()].map((o) => o.to));
  }

  /** The producer's import ends (its holder is gone): its consumers close with it. */
  dropImport(producerId: string): void {
    for (const imported of this.importsByPipe.values()) if (imported.producer.id === producerId) imported.transport.close();
  }

  /** Pipes from or to other processes per router. */
  countByRouter(): Map<types.Router, number> {
    const counts = new Map<types.Router, number>();
    const add = (router: types.Router) => counts.set(router, (counts.get(router) ?? 0) + 1);
    for (const out of this.outs.values()) add(out.place.router);
    for (const imported of this.importsByPipe.values()) add(imported.place.router);
    return counts;
  }

  closeAll(): void {
    for (const pipeId of [...this.outs.keys(), ...this.importsByPipe.keys()]) this.close(pipeId);
  }

  private async open(producerId: string, place: RoomRouter): Promise<Imported | null> {
    const importer = this.importer;
    if (!importer) return null;
    const transport = await place.router.createPipeTransport({ listenInfo: listenInfo(importer.listen), enableSrtp: true });
    let offer: PipeOffer | null = null;
    try {
      offer = await importer.dial(producerId, endpoint(transport));
      if (!offer) {
        transport.close();
        return null;
      }
      await transport.connect({ ip: offer.ip, port: offer.port, srtpParameters: offer.srtpParameters });
      const producer = await transport.produce({
        id: producerId,
        kind: offer.kind,
        rtpParameters: offer.rtpParameters,
        paused: offer.paused,
        appData: { peerId: offer.peerId, source: offer.source, imported: true },
      });
      const imported: Imported = { pipeId: offer.pipeId, place, producer, transport, users: 0 };
      this.importsByPipe.set(offer.pipeId, imported);
      weigh(place.worker, producer.observer);
      const pipeId = offer.pipeId;
      transport.observer.once('close', () => {
        if (this.imports.get(producerId) !== undefined) this.imports.delete(producerId);
        // Closed here (last consumer gone, router lost): the holder stops sending.
        if (this.importsByPipe.delete(pipeId)) importer.hangUp(pipeId);
      });
      return imported;
    } catch (err) {
      transport.close();
      if (offer) importer.hangUp(offer.pipeId);
      throw err instanceof Error ? err : new MediaRequestError(String(err));
    }
  }
}

function listenInfo(listen: PipeListen): types.TransportListenInfo {
  return { protocol: 'udp', ip: listen.ip, ...(listen.announcedIp ? { announcedAddress: listen.announcedIp } : {}) };
}

function endpoint(transport: types.PipeTransport): PipeEndpoint {
  if (!transport.srtpParameters) throw new MediaRequestError('a pipe without SRTP');
  return { ip: transport.tuple.localAddress, port: transport.tuple.localPort, srtpParameters: transport.srtpParameters };
}
