import type { AppContext } from '../node/AppContext';
import { MsgType } from '../protocol/models';
import type { CallKind } from '../protocol/calls';
import { postAnnouncement } from '../announcements';

export type CallMessageKind = 'started' | 'missed' | 'ended';

/** "3:42", "1:02:05". */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

export function callMessageText(kind: CallKind, what: CallMessageKind, durationMs = 0): string {
  const noun = kind === 'video' ? 'video call' : 'voice call';
  if (what === 'started') return `started a ${noun}`;
  if (what === 'missed') return `missed ${noun}`;
  return `call ended, ${formatDuration(durationMs)}`;
}

/**
 * A call's announcements in its conversation (PROTOCOL.md: msgtype 5 voice, 6 video), one per
 * call and kind of event.
 */
export class CallMessages {
  constructor(private readonly ctx: AppContext) {}

  async post(call: { callid: string; sessionid: string; kind: CallKind; startedBy: string; starterNickname: string }, what: CallMessageKind, durationMs = 0): Promise<void> {
    await postAnnouncement(this.ctx, {
      sessionid: call.sessionid,
      senduid: call.startedBy,
      nickname: call.starterNickname,
      msgtype: call.kind === 'video' ? MsgType.VideoCall : MsgType.VoiceCall,
      content: callMessageText(call.kind, what, durationMs),
      uuid: `call:${call.callid}:${what}`,
    });
  }
}
