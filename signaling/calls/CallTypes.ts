import type { ErrorBody } from '../protocol/errors';
import type { Requester } from '../socket/requester';

/** Who asks (see Requester): forwarded with every request to the call's owner. */
export type CallRequester = Requester;

/** Requests a process forwards to the call's owner (or asks every process, for list/debug). */
export type CallOp =
  | 'join'
  | 'decline'
  | 'leave'
  | 'transport:create'
  | 'transport:connect'
  | 'transport:restartIce'
  | 'produce'
  | 'producer:pause'
  | 'producer:resume'
  | 'producer:close'
  | 'consume'
  | 'consumer:resume'
  | 'consumer:setLayers'
  /** Internal: the call's info, when this process owns it (one call per conversation). */
  | 'info'
  /** Internal: the calls this process owns in the requester's conversations. */
  | 'list'
  /** Internal, tests only (COOKIM_CALL_DEBUG=1): workers, pids and counts. */
  | 'debug';

export const ownerOps: ReadonlySet<CallOp> = new Set<CallOp>([
  'join',
  'decline',
  'leave',
  'transport:create',
  'transport:connect',
  'transport:restartIce',
  'produce',
  'producer:pause',
  'producer:resume',
  'producer:close',
  'consume',
  'consumer:resume',
  'consumer:setLayers',
  'info',
]);

export interface CallRpcRequest {
  op: CallOp;
  callid?: string;
  payload: unknown;
  requester: CallRequester;
}

/** A process's answer: null when it does not own the call (or has nothing for list/debug). */
export type CallRpcAnswer = { result: unknown } | ErrorBody | null;

/** Debug view of one process (COOKIM_CALL_DEBUG=1). */
export interface CallDebugInfo {
  node: string;
  pid: number;
  workers: { slot: number; pid: number; port: number; rooms: number; closed: boolean }[];
  calls: { callid: string; sessionid: string; participants: string[]; workerPid: number | null; producers: number; consumers: number }[];
}
