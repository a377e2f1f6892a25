import type { Room } from '../../media/Room';
import type { CallRecordingInfo } from '../protocol/callRecording';
import type { CallInfo, CallKind, CallParticipant, CallState, ProducerInfo } from '../protocol/calls';

export interface Participant extends CallParticipant {
  /** The socket that joined: media events go to it, and only it may negotiate for this user. */
  socketId: string;
}

/** One call, held by the process that owns its router. */
export class Call {
  state: CallState = 'ringing';
  readonly participants = new Map<string, Participant>();
  /** Null while the media is being re-created after its worker died. */
  room: Room | null = null;
  /** Producers of participants whose media is on other processes (their legs), by producer id. */
  readonly remoteProducers = new Map<string, ProducerInfo>();
  answeredAt: number | null = null;
  ringTimer: NodeJS.Timeout | null = null;
  /** Issue 15: the recording that runs (set by CallRecordings). */
  recording: CallRecordingInfo | undefined = undefined;
  /** Every member of the conversation when the call started (plus later joiners): who hears of it. */
  readonly memberUids: Set<string>;

  constructor(
    readonly callid: string,
    readonly sessionid: string,
    /** 0 private, 1 group. */
    readonly sessiontype: number,
    readonly kind: CallKind,
    readonly startedBy: string,
    readonly starterNickname: string,
    readonly startedAt: number,
    memberUids: string[],
  ) {
    this.memberUids = new Set(memberUids);
  }

  info(): CallInfo {
    return {
      callid: this.callid,
      sessionid: this.sessionid,
      kind: this.kind,
      state: this.state,
      startedBy: this.startedBy,
      startedAt: this.startedAt,
      participants: [...this.participants.values()].map(({ uid, nickname, joinedAt }) => ({ uid, nickname, joinedAt })),
      ...(this.recording ? { recording: this.recording } : {}),
    };
  }

  /** Sockets of the participants, optionally without one user. */
  socketsExcept(uid?: string): string[] {
    return [...this.participants.values()].filter((p) => p.uid !== uid).map((p) => p.socketId);
  }
}
