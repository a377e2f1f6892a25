import type { types } from 'mediasoup';
import type { ProducerSource } from './RoomTypes';

/** One end of a PipeTransport between processes: where it listens, and its SRTP key. */
export interface PipeEndpoint {
  ip: string;
  port: number;
  srtpParameters: types.SrtpParameters;
}

/** The holder's answer: its end of the pipe and what the producer sends through it. */
export interface PipeOffer extends PipeEndpoint {
  /** Names the pipe on both sides (the holder's PipeTransport id). */
  pipeId: string;
  producerId: string;
  kind: types.MediaKind;
  rtpParameters: types.RtpParameters;
  paused: boolean;
  peerId: string;
  source: ProducerSource;
}

/** Where this process's PipeTransports listen, and the address the other side sends to. */
export interface PipeListen {
  ip: string;
  announcedIp?: string;
}

/** How a room reaches producers held by other processes (the signaling tier carries the requests). */
export interface ProducerImporter {
  listen: PipeListen;
  /** Asks the process holding the producer to pipe it to `receiver`: its offer, or null when nobody holds it. */
  dial(producerId: string, receiver: PipeEndpoint): Promise<PipeOffer | null>;
  /** Tells the holder a pipe is no longer used. */
  hangUp(pipeId: string): void;
}
