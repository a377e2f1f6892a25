import type { types } from 'mediasoup';

export interface MediaWorkerOptions {
  /** Position of this worker in its pool; it keeps it across replacements (and so its port). */
  slot: number;
  /** The WebRtcServer's UDP and TCP port. When taken, a free port from `fallbackPortRange` is used. */
  port: number;
  fallbackPortRange: { min: number; max: number };
  /** Address the WebRtcServer binds (0.0.0.0: every interface). */
  listenIp: string;
  /** Address handed to clients in ICE candidates. */
  announcedIp: string;
  logLevel?: types.WorkerLogLevel;
}

export type MediaWorkerEvents = {
  /** The mediasoup worker process exited unexpectedly; every router on it is gone. */
  died: [error: Error];
};

/** What the pool and debug tooling see of one worker. */
export interface MediaWorkerInfo {
  slot: number;
  pid: number;
  port: number;
  rooms: number;
  /** Peers, transports, consumers and pipes on it (see MediaWorker.load). */
  load: number;
  closed: boolean;
}
