/**
 * The msgtype 5/6 call announcements the server writes ("started a video call", "missed voice
 * call", "call ended, 3:42"), read back into what happened, for the chat and the conversation list.
 */
import { MsgType } from '@protocol';

export type CallEvent = 'started' | 'missed' | 'ended' | 'other';

export interface CallText {
  event: CallEvent;
  video: boolean;
  /** "3:42" for ended calls. */
  duration?: string;
  /** Full sentence for the chat. */
  text: string;
  /** Short form for list previews. */
  short: string;
}

export function isCallMessage(msgtype: number | undefined): boolean {
  return msgtype === MsgType.VoiceCall || msgtype === MsgType.VideoCall;
}

export function describeCall(msgtype: number, msg: string, nickname: string, mine: boolean): CallText {
  const video = msgtype === MsgType.VideoCall;
  const noun = video ? 'video call' : 'voice call';
  const Noun = video ? 'Video call' : 'Voice call';
  const text = msg.trim();
  if (/^started an? (voice|video) call$/i.test(text)) {
    const who = mine ? 'You' : nickname;
    return { event: 'started', video, text: `${who} started a ${noun}`, short: `${mine ? 'You' : nickname} started a ${noun}` };
  }
  if (/^missed (voice|video) call$/i.test(text)) {
    return { event: 'missed', video, text: mine ? `${Noun} not answered` : `Missed ${noun} from ${nickname}`, short: mine ? `${Noun} not answered` : `Missed ${noun}` };
  }
  const ended = /^call ended,?\s*(\d+(?::\d{2}){1,2})$/i.exec(text);
  if (ended) {
    return { event: 'ended', video, duration: ended[1], text: `${Noun} ended · ${ended[1]}`, short: `${Noun} · ${ended[1]}` };
  }
  return { event: 'other', video, text: text || Noun, short: text || Noun };
}
