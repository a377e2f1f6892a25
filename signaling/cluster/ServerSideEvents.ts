import type { CallDebugInfo, CallOwnerEvent, CallRequester } from '../calls/CallTypes';
import type { CallInfo } from '../protocol/calls';
import type { ErrorBody } from '../protocol/errors';
import type { CallAudioChoice, CallLegNotice, CallLegUpdate, CallPipeRequest } from '../calls/CallLegTypes';
import type { PipeOffer } from '../../media';
import type { LiveRtcOpAnswer, LiveRtcOpRequest } from '../live/LiveRtcRouterTypes';

/** A call request forwarded to the process that owns the call. */
export interface CallOpRequest {
  event: CallOwnerEvent;
  /** The payload as validated where it arrived; the owner validates it again against the event's schema. */
  payload: unknown;
  requester: CallRequester;
}

/** A process's answer: null when it does not own the call. */
export type CallOpAnswer = { result: unknown } | ErrorBody | null;

/**
 * Events between the processes of every node (socket.io's `serverSideEmit`), the 3rd type
 * parameter of ChatServer. Each process answers the ones with an ack; ClusterPeers asks.
 */
export interface ServerSideEvents {
  /** A call request for the call's owner; every other process answers null. */
  'call:op': (req: CallOpRequest, ack: (answer: CallOpAnswer) => void) => void;
  /** The call of that id, from its owner, when the requester is a member of its conversation. */
  'call:find': (callid: string, requester: CallRequester, ack: (call: CallInfo | null) => void) => void;
  /** The calls a process owns in the requester's conversations. */
  'call:list': (requester: CallRequester, ack: (calls: CallInfo[]) => void) => void;
  /** Tests only: answered where COOKIM_CALL_DEBUG=1 (calls/callDebug.ts). */
  'call:debug': (ack: (info: CallDebugInfo) => void) => void;
  /** A socket that had joined a call went away: it leaves the calls it was in. */
  'call:gone': (socketId: string) => void;
  // Calls spread across processes (issue 15): media stays on the process a participant is connected to.
  /** Pipe one of the call's producers to the asking process: the holder's offer, null elsewhere. */
  'call:pipe': (req: CallPipeRequest, ack: (offer: PipeOffer | null) => void) => void;
  /** A pipe between processes ended on one side: the other closes its end. */
  'call:pipeClose': (callid: string, pipeId: string) => void;
  /** Every process answers its nodeId: pipes to a process that no longer answers are closed. */
  'call:alive': (ack: (nodeId: string) => void) => void;
  /** A process holding participants' media tells the call's owner of their producers (true: owned there). */
  'call:legNotice': (notice: CallLegNotice, ack: (owned: boolean) => void) => void;
  /** The call's owner tells the processes holding its participants' media of a departure or the end. */
  'call:legUpdate': (update: CallLegUpdate) => void;
  /** A new leg asks the call's owner for the audio choice its consumers follow; every other process answers null. */
  'call:audioChoice': (callid: string, ack: (choice: CallAudioChoice | null) => void) => void;
  /** A publisher resumes its stream elsewhere: the process running it lets go (true) without ending it. */
  'live:release': (streamid: string, ack: (released: boolean) => void) => void;
  /** A real-time viewing request for the process that runs the stream; every other process answers null. */
  'live:rtcOp': (req: LiveRtcOpRequest, ack: (answer: LiveRtcOpAnswer) => void) => void;
  /** A socket that watched a stream of another process in real time went away: that process frees its place. */
  'live:rtcGone': (socketId: string) => void;
  /** A WHIP resource deleted on another process: the process running its stream ends it (true). */
  'live:whipEnd': (resourceId: string, ack: (ended: boolean) => void) => void;
}
