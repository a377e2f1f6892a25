import type { types } from 'mediasoup';

export type TransportDirection = 'send' | 'recv';
/** A transport's media path: up (ICE and DTLS done), lost for now (ICE), or gone for good. */
export type TransportConnectivity = 'connected' | 'disconnected' | 'closed';
export type ProducerSource = 'mic' | 'camera' | 'screen';

export interface WebRtcTransportParams {
  transportId: string;
  iceParameters: types.IceParameters;
  iceCandidates: types.IceCandidate[];
  dtlsParameters: types.DtlsParameters;
}

/** A producer as the room reports it. */
export interface ProducerRecord {
  producerId: string;
  peerId: string;
  kind: types.MediaKind;
  source: ProducerSource;
  paused: boolean;
}

export interface ConsumerRecord {
  consumerId: string;
  producerId: string;
  /** The peer that receives. */
  peerId: string;
  /** The peer whose producer it receives. */
  producerPeerId: string;
  kind: types.MediaKind;
  source: ProducerSource;
  rtpParameters: types.RtpParameters;
  paused: boolean;
}

export type RoomEvents = {
  /** The loudest peer changed (null: nobody speaks). */
  activeSpeaker: [peerId: string | null];
  /** A consumer was closed by mediasoup because its producer went away; tell its peer. */
  consumerClosed: [event: { peerId: string; consumerId: string; producerId: string }];
  consumerLayers: [event: { peerId: string; consumerId: string; spatialLayer: number | null; temporalLayer: number | null }];
  consumerScore: [event: { peerId: string; consumerId: string; score: number; producerScore: number }];
  /** How well a producer's stream arrives (mediasoup's score, 0-10). */
  producerScore: [event: { peerId: string; producerId: string; kind: types.MediaKind; score: number }];
  /**
   * A worker the room spread to died and took these peers' transports (and producers) with it;
   * the room goes on for the others (their consumers of these producers were reported as
   * consumerClosed). The peers are no longer in the room: they join again.
   */
  peersLost: [event: { workerPid: number; peerIds: string[]; producers: ProducerRecord[] }];
  /** A pipe to another process ended on this side (producer, consumers or router gone): tell the other side. */
  pipeEnded: [event: { pipeId: string }];
  /** The room is gone: closed by us, or every router lost with its worker (`lost: true`). */
  closed: [event: { lost: boolean }];
};

export interface RoomOptions {
  /**
   * Place each peer on the least-loaded live worker of the pool, piping producers between the
   * room's routers (calls). Without it every peer is on the room's one router (live streams).
   */
  spread?: boolean;
}

/** The room's part on one worker (debug and metrics). */
export interface RoomWorkerStats {
  workerPid: number;
  /** The WebRtcServer port its transports use. */
  port: number;
  peers: number;
  transports: number;
  producers: number;
  consumers: number;
  /** Producers piped in or out of this router from the room's other routers of this process. */
  pipes: number;
  /** Producers piped in or out of this router from or to other processes (PipeTransports). */
  remotePipes: number;
}

/** Where a peer's transports are. */
export interface PeerPlacement {
  workerPid: number;
  port: number;
}

export interface RoomStats {
  peers: number;
  transports: number;
  producers: number;
  consumers: number;
}
