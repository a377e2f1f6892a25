import { EventEmitter } from 'node:events';
import type { types } from 'mediasoup';
import type { MediaWorkerEvents, MediaWorkerInfo, MediaWorkerOptions } from './MediaWorkerTypes';

/** Socket buffers of a WebRtcServer (the kernel caps them at net.core.rmem_max / wmem_max). */
const SOCKET_BUFFER_BYTES = 4 * 1024 * 1024;

type Mediasoup = typeof import('mediasoup');

let mediasoupModule: Promise<Mediasoup> | undefined;

/**
 * mediasoup reads MEDIASOUP_WORKER_BIN once, when it is first imported, so it is imported lazily:
 * whoever starts the media layer sets that variable first.
 */
export function loadMediasoup(): Promise<Mediasoup> {
  mediasoupModule ??= import('mediasoup');
  return mediasoupModule;
}

/**
 * One mediasoup worker process and its WebRtcServer: every WebRTC transport of the rooms on this
 * worker shares the server's single UDP (and TCP) port.
 */
export class MediaWorker extends EventEmitter<MediaWorkerEvents> {
  /** Rooms whose home router is on this worker, maintained by the pool. */
  rooms = 0;
  /**
   * What the rooms put on this worker: peers placed here, their WebRTC transports, consumers, and
   * pipe producers/consumers (each counts 1). Rooms place a new peer on the live worker with the least.
   */
  load = 0;
  private closedByUs = false;

  private constructor(
    readonly slot: number,
    readonly worker: types.Worker,
    readonly webRtcServer: types.WebRtcServer,
    readonly port: number,
  ) {
    super();
    worker.on('died', (error) => {
      if (this.closedByUs) return;
      this.emit('died', error);
    });
  }

  static async create(options: MediaWorkerOptions): Promise<MediaWorker> {
    const mediasoup = await loadMediasoup();
    const worker = await mediasoup.createWorker({ logLevel: options.logLevel ?? 'warn' });
    try {
      const { server, port } = await MediaWorker.listen(worker, options);
      return new MediaWorker(options.slot, worker, server, port);
    } catch (err) {
      worker.close();
      throw err;
    }
  }

  private static async listen(worker: types.Worker, options: MediaWorkerOptions): Promise<{ server: types.WebRtcServer; port: number }> {
    const infos = (port: number): types.WebRtcServerListenInfo[] =>
      (['udp', 'tcp'] as const).map((protocol) => ({
        protocol,
        ip: options.listenIp,
        announcedAddress: options.announcedIp,
        port,
        // Every peer of the worker shares this one socket: the kernel's default 208 KB buffer drops
        // bursts (key frames of many senders at once) long before the worker is busy.
        recvBufferSize: SOCKET_BUFFER_BYTES,
        sendBufferSize: SOCKET_BUFFER_BYTES,
      }));
    try {
      const server = await worker.createWebRtcServer({ listenInfos: infos(options.port) });
      return { server, port: options.port };
    } catch {
      // The fixed port is taken (another node or program on this host): take a free one, once for UDP and TCP alike.
      for (let attempt = 0; attempt < 20; attempt++) {
        const { min, max } = options.fallbackPortRange;
        const port = min + Math.floor(Math.random() * (max - min + 1));
        try {
          const server = await worker.createWebRtcServer({ listenInfos: infos(port) });
          return { server, port };
        } catch {
          /* try another */
        }
      }
      throw new Error(`no free port for the WebRtcServer (tried ${options.port} and 20 in ${options.fallbackPortRange.min}-${options.fallbackPortRange.max})`);
    }
  }

  get pid(): number {
    return this.worker.pid;
  }

  get closed(): boolean {
    return this.worker.closed;
  }

  info(): MediaWorkerInfo {
    return { slot: this.slot, pid: this.pid, port: this.port, rooms: this.rooms, load: this.load, closed: this.closed };
  }

  close(): void {
    this.closedByUs = true;
    if (!this.worker.closed) this.worker.close();
  }
}
