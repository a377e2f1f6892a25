/**
 * The msgtype 5/6 call announcements, said in the user's language from their `callinfo`, for the
 * chat and the conversation list. Announcements stored before `callinfo` existed show their
 * stored text as it is.
 */
import { formatDuration, MsgType, type CallAnnouncementEvent, type MessageView } from '@protocol';
import { t } from '@/i18n';

export interface CallText {
  event: CallAnnouncementEvent | 'other';
  video: boolean;
  /** Full sentence for the chat. */
  text: string;
  /** Short form for list previews. */
  short: string;
}

export function isCallMessage(msgtype: number | undefined): boolean {
  return msgtype === MsgType.VoiceCall || msgtype === MsgType.VideoCall;
}

export function describeCall(message: Pick<MessageView, 'msgtype' | 'msg' | 'nickname' | 'callinfo'>, mine: boolean): CallText {
  const info = message.callinfo;
  const video = info?.video ?? message.msgtype === MsgType.VideoCall;
  const kind = video ? 'Video' : 'Voice';
  const name = message.nickname;
  switch (info?.event) {
    case 'started': {
      const text = mine ? t(`callMessage.youStarted${kind}`) : t(`callMessage.started${kind}`, { name });
      return { event: 'started', video, text, short: text };
    }
    case 'ended': {
      const duration = formatDuration(info.durationMs ?? 0);
      return { event: 'ended', video, text: t(`callMessage.ended${kind}`, { duration }), short: t(`callMessage.short${kind}`, { duration }) };
    }
    case 'missed':
      // the caller's own announcement: nobody picked up
      return mine
        ? { event: 'missed', video, text: t(`callMessage.unanswered${kind}`), short: t(`callMessage.unanswered${kind}`) }
        : { event: 'missed', video, text: t(`callMessage.missed${kind}`, { name }), short: t(`callMessage.missed${kind}Short`) };
    case 'declined':
      return { event: 'declined', video, text: t(`callMessage.declined${kind}`), short: t(`callMessage.declined${kind}`) };
    case 'recording': {
      // issue 15: someone started recording the call
      const text = mine ? t('callRecording.messageYou') : t('callRecording.message', { name });
      return { event: 'recording', video, text, short: text };
    }
    default: {
      const text = message.msg.trim() || (video ? t('callMessage.video') : t('callMessage.voice'));
      return { event: 'other', video, text, short: text };
    }
  }
}
