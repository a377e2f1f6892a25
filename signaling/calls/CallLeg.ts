import type { Room } from '../../media/Room';
import type { CallAudioChoice } from './CallLegTypes';
import type { ConsumerFlow } from './ConsumerFlow';
import { EVERY_VOICE } from './ConsumerFlowTypes';

/**
 * This process's part of a call owned by another process: the media of the participants whose
 * sockets are here, on a room of this process. The owner keeps the call's state.
 */
export class CallLeg {
  room: Room | null = null;
  /** What lets the room's consumers flow: the clients' wishes and the owner's audio choice. */
  flow: ConsumerFlow | null = null;
  /** The owner's audio choice, newest seen (seq 0: none heard yet, everyone's audio flows). */
  audio: CallAudioChoice = { ...EVERY_VOICE, seq: 0 };
  /** The room being opened (joins at the same time wait for the one room). */
  opening: Promise<Room> | null = null;
  /** Participants whose media is here: uid to the socket that joined. */
  readonly peers = new Map<string, string>();
  /** Producers announced to the owner: producer id to uid (told closed when the room is lost). */
  readonly announced = new Map<string, string>();

  constructor(
    readonly callid: string,
    readonly sessionid: string,
  ) {}
}
