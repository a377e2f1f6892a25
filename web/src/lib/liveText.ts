/**
 * The msgtype 7 live stream announcements ("X is live: title", "live stream ended"), said in the
 * user's language, for the chat card and the conversation list, and small formatters the live
 * screens share.
 */
import { MsgType, type LiveInfo, type MessageView } from '@protocol';
import { t } from '@/i18n';
import { formatCount } from './format';

export function isLiveMessage(msgtype: number | undefined): boolean {
  return msgtype === MsgType.Live;
}

export interface LiveText {
  event: LiveInfo['event'];
  streamid?: string;
  title: string;
  /** Full sentence for the chat card. */
  text: string;
  /** Short form for list previews. */
  short: string;
}

export function describeLive(message: Pick<MessageView, 'liveinfo' | 'msg' | 'nickname'>, mine: boolean): LiveText {
  const info = message.liveinfo;
  // an announcement without liveinfo (an older server) still says something sensible
  const title = info?.title ?? message.msg.trim();
  if (info?.event === 'ended') {
    return { event: 'ended', streamid: info.streamid, title, text: t('live.ended'), short: t('live.ended') };
  }
  const name = message.nickname;
  const short = mine ? t('live.youAreLive') : t('live.isLive', { name });
  const text = !title ? short : mine ? t('live.youAreLiveTitled', { title }) : t('live.isLiveTitled', { name, title });
  return { event: 'started', streamid: info?.streamid, title, text, short };
}

export function formatViewers(count: number): string {
  return t('common.viewers', { n: formatCount(count) }, count);
}
