import type { PipeEndpoint } from '../../media';
import type { ProducerInfo } from '../protocol/calls';
import type { AudioChoice } from './ConsumerFlowTypes';

/** A process asks for a call's producer it does not hold, to be piped to its PipeTransport. */
export interface CallPipeRequest {
  callid: string;
  producerId: string;
  receiver: PipeEndpoint;
  /** The asking process (its nodeId): pipes to a process that died are closed. */
  from: string;
}

/** A leg's producer changes, for the call's owner to tell the other participants. */
export interface CallLegNotice {
  callid: string;
  uid: string;
  /** The participant's socket (the owner ignores a notice for a socket that no longer is in the call). */
  socketId: string;
  change: 'new' | 'paused' | 'resumed' | 'closed';
  producers: ProducerInfo[];
}

/** The owner's word to the legs: a participant's media ends there, the audio choice changed, or the whole call ended. */
export interface CallLegUpdate {
  callid: string;
  drop?: { uid: string; socketId: string };
  /** Producers gone (imports of them close even when their holder cannot say so: it died). */
  closed?: string[];
  /** The call's audio choice changed: a leg's consumers follow it as the owner's do. */
  audio?: CallAudioChoice;
  ended?: boolean;
}

/**
 * The owner's audio choice as legs get it: `seq` grows with every change, so a leg keeps the
 * newest whichever way it came (an update, or its own ask when it opened).
 */
export interface CallAudioChoice extends AudioChoice {
  seq: number;
}
