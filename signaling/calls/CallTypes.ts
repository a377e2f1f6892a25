import type { CallClientEvents } from '../protocol/calls';
import type { Requester } from '../socket/requesterTypes';

/** Who asks (socket/requesterTypes.ts): sent along with requests forwarded to the call's owner, which checks membership itself. */
export type CallRequester = Requester;

/** Every client event of calls. */
export type CallEvent = keyof CallClientEvents;

/** The call events the call's owner answers (the rest are answered where they arrive). */
export type CallOwnerEvent = Exclude<CallEvent, 'call:start' | 'call:list'>;

/** Debug view of one process (tests only, COOKIM_CALL_DEBUG=1). */
export interface CallDebugInfo {
  node: string;
  pid: number;
  workers: { slot: number; pid: number; port: number; rooms: number; load: number; closed: boolean }[];
  calls: CallDebugCall[];
  /** This process's legs of calls owned elsewhere (participants connected here). */
  legs: CallDebugLeg[];
}

/** A leg in the debug view: the media here of participants connected here. */
export interface CallDebugLeg {
  callid: string;
  participants: string[];
  workers: CallDebugCall['workers'];
  placements: CallDebugCall['placements'];
  /** Every consumer of the leg's room (the audio choice applies here too). */
  consumerStates?: CallDebugConsumer[];
}

/** One call in the debug view. */
export interface CallDebugCall {
  callid: string;
  sessionid: string;
  participants: string[];
  /** The home router's worker (the active speaker observer's). */
  workerPid: number | null;
  producers: number;
  consumers: number;
  /** Every worker the call spans, with its part of the call. */
  workers: { workerPid: number; port: number; peers: number; transports: number; producers: number; consumers: number; pipes: number; remotePipes: number }[];
  /** Per participant: the worker and WebRtcServer port of its transports (null before it has one). */
  placements: Record<string, { workerPid: number; port: number } | null>;
  /** Every consumer: who receives (uid), whose media (from), and whether it is paused on the server. */
  consumerStates?: CallDebugConsumer[];
}

/** One consumer in the debug view (on-screen subscriptions, S28). */
export interface CallDebugConsumer {
  consumerId: string;
  uid: string;
  from: string;
  kind: 'audio' | 'video';
  source: string;
  paused: boolean;
}
