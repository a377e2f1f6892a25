import type { CallClientEvents } from '../protocol/calls';

/**
 * Who asks, as the process holding the socket knows it (socket/requester.ts's Requester): sent
 * along with requests forwarded to the call's owner, which checks membership itself.
 */
export interface CallRequester {
  uid: string;
  nickname: string;
  socketId: string;
  /** Session ids of the socket's `session:<id>` rooms, current at the time of the request. */
  sessions: string[];
}

/** Every client event of calls. */
export type CallEvent = keyof CallClientEvents;

/** The call events the call's owner answers (the rest are answered where they arrive). */
export type CallOwnerEvent = Exclude<CallEvent, 'call:start' | 'call:list'>;

/** Debug view of one process (tests only, COOKIM_CALL_DEBUG=1). */
export interface CallDebugInfo {
  node: string;
  pid: number;
  workers: { slot: number; pid: number; port: number; rooms: number; closed: boolean }[];
  calls: {
    callid: string;
    sessionid: string;
    participants: string[];
    workerPid: number | null;
    producers: number;
    consumers: number;
    /** Every consumer: who receives (uid), whose media (from), and whether it is paused on the server. */
    consumerStates?: CallDebugConsumer[];
  }[];
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
