import type { InboundCounters } from './callFigures';

/** What a peer host (bench/lib/peerHost.ts) is started with, as its one argument (JSON). */
export interface PeerHostSettings {
  url: string;
  camera: { width: number; height: number; fps: number };
  onScreen: number;
  pauseHidden: boolean;
}

/** What the bench asks a peer host. */
export type PeerHostAsk =
  | { type: 'join'; name: string; uid: string; token: string; callid: string; order: string[] }
  | { type: 'order'; order: string[] }
  | { type: 'snapshot' }
  | { type: 'close' };

/** A question on the wire, answered with a PeerHostReply of the same id. */
export type PeerHostRequest = PeerHostAsk & { id: number };

/** A host's counters at one moment: its receivers, its senders' uplink, its own CPU. */
export interface PeerHostSnapshot {
  inbound: [string, InboundCounters][];
  uplink: [string, InboundCounters][];
  /** process.cpuUsage() of the host: user + system, µs. */
  cpuUs: number;
  layers: number[];
  peerConnections: number;
}

export type PeerHostReply = { id: number; result?: unknown; error?: string };
