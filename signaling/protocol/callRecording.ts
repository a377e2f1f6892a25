/**
 * Call recording (issue 15): a participant starts and stops it; everyone in the call sees that it
 * runs; the finished MP4 is posted in the conversation as a video message (msgtype 3) by whoever
 * started it, counted against their storage quota.
 */
import { z } from 'zod';
import type { Ack } from './ack';

/** Who started the recording, and when (ms): on CallInfo while it runs, so late joiners see it. */
export interface CallRecordingInfo {
  by: { uid: string; nickname: string };
  startedAt: number;
}

/** Why a recording ended. */
export const CallRecordingEnd = {
  /** A participant stopped it. */
  Stopped: 'stopped',
  /** The call ended (or its last participant left). */
  CallEnded: 'call_ended',
  /** CALL_RECORD_MAX_SECONDS reached. */
  MaxLength: 'max_length',
  /** It could not go on (`error` says why: `quota_exceeded`, or the media failed). */
  Failed: 'failed',
} as const;
export type CallRecordingEnd = (typeof CallRecordingEnd)[keyof typeof CallRecordingEnd];

/** `call:recording`: to everyone in the call's conversation when a recording starts or ends. */
export interface CallRecordingEvent {
  callid: string;
  recording: boolean;
  by?: CallRecordingInfo['by'];
  startedAt?: number;
  /** Ended recordings: why. */
  reason?: CallRecordingEnd;
  /** A recording that ended on an error (its code is one of PROTOCOL.md's, e.g. `quota_exceeded`). */
  error?: { code: string; message: string };
}

export const CallRecordPayload = z.object({ callid: z.string().min(1).max(128) });
export type CallRecordPayload = z.infer<typeof CallRecordPayload>;

export interface CallRecordStartResult {
  callid: string;
  recording: true;
  startedAt: number;
}

export interface CallRecordingClientEvents {
  /** Participants only; one recording at a time per call (`already_recording`). */
  'call:record:start': (payload: CallRecordPayload, ack: Ack<CallRecordStartResult>) => void;
  /** Participants only; `not_recording` when none runs. The video message follows once it is stored. */
  'call:record:stop': (payload: CallRecordPayload, ack: Ack<{ ok: true }>) => void;
}

export interface CallRecordingServerEvents {
  'call:recording': (event: CallRecordingEvent) => void;
}
