import type { AppContext } from '../node/AppContext';
import { MsgType, type CallAnnouncement, type CallAnnouncementEvent } from '../protocol/models';
import type { CallKind } from '../protocol/calls';
import { formatDuration } from '../protocol/duration';
import { postAnnouncement } from '../announcements';

/**
 * The English sentence stored as the announcement's `content`, for clients that predate
 * `callinfo`. A declined call says so (it was not missed: someone chose not to answer).
 */
export function callMessageText(kind: CallKind, event: CallAnnouncementEvent, durationMs = 0): string {
  const noun = kind === 'video' ? 'video call' : 'voice call';
  if (event === 'started') return `started a ${noun}`;
  if (event === 'declined') return `declined ${noun}`;
  if (event === 'missed') return `missed ${noun}`;
  return `call ended, ${formatDuration(durationMs)}`;
}

/**
 * A call's announcements in its conversation (PROTOCOL.md: msgtype 5 voice, 6 video), one per
 * call and kind of event, each with a `callinfo` that clients render in their own language.
 */
export class CallMessages {
  constructor(private readonly ctx: AppContext) {}

  async post(call: { callid: string; sessionid: string; kind: CallKind; startedBy: string; starterNickname: string }, event: CallAnnouncementEvent, durationMs = 0): Promise<void> {
    const callinfo: CallAnnouncement = { callid: call.callid, event, video: call.kind === 'video', ...(event === 'ended' ? { durationMs } : {}) };
    // A declined call keeps the uuid of a missed one: one "did not happen" announcement per call.
    const uuidEvent = event === 'declined' ? 'missed' : event;
    await postAnnouncement(this.ctx, {
      sessionid: call.sessionid,
      senduid: call.startedBy,
      nickname: call.starterNickname,
      msgtype: call.kind === 'video' ? MsgType.VideoCall : MsgType.VoiceCall,
      content: callMessageText(call.kind, event, durationMs),
      uuid: `call:${call.callid}:${uuidEvent}`,
      callinfo,
    });
  }
}
