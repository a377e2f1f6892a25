import type { types } from 'mediasoup';

export interface WorkerPoolOptions {
  /** mediasoup workers in this process. */
  size: number;
  /** Port of slot 0's WebRtcServer; slot i listens on `basePort + i`. */
  basePort: number;
  /** Where to look for a free port when a slot's port is taken. */
  fallbackPortRange?: { min: number; max: number };
  listenIp: string;
  announcedIp: string;
  logLevel?: types.WorkerLogLevel;
  /** Progress and failures (a worker died, a replacement failed). */
  log?: (level: 'info' | 'warn' | 'error', message: string, details?: Record<string, unknown>) => void;
}

export type WorkerPoolEvents = {
  /**
   * A worker died: these rooms had no router elsewhere, so their routers, transports, producers and
   * consumers are gone (each Room emitted `closed` with lost: true). Whoever owns them re-creates
   * them. (A spread room with routers on other workers goes on: it emits `peersLost` instead.)
   */
  roomsLost: [event: { roomIds: string[]; workerPid: number; slot: number }];
  /** A replacement worker took the dead one's slot. */
  workerReplaced: [event: { slot: number; oldPid: number; newPid: number; port: number }];
};
