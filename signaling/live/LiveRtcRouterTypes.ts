import type { ErrorBody } from '../protocol/errors';
import { LiveRefPayload, LiveRtcConnectPayload, LiveRtcConsumePayload } from '../protocol/live';
import type { Requester } from '../socket/requesterTypes';

/** The real-time viewing requests, by the name they cross between processes with. */
export const LIVE_RTC_OP_SCHEMAS = {
  watch: LiveRefPayload,
  connect: LiveRtcConnectPayload,
  consume: LiveRtcConsumePayload,
  resume: LiveRefPayload,
  unwatch: LiveRefPayload,
} as const;
export type LiveRtcOp = keyof typeof LIVE_RTC_OP_SCHEMAS;

/** A real-time viewing request forwarded to the process that runs the stream. */
export interface LiveRtcOpRequest {
  op: LiveRtcOp;
  /** The payload as validated where it arrived; validated again where it is answered. */
  payload: unknown;
  requester: Requester;
}

/** A process's answer: null when it does not run the stream. */
export type LiveRtcOpAnswer = { result: unknown } | ErrorBody | null;
