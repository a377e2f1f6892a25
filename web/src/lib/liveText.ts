/**
 * The msgtype 7 live stream announcements ("X is live: title", "live stream ended"), for the chat
 * card and the conversation list, and small formatters the live screens share.
 */
import { MsgType, type LiveInfo, type MessageView } from '@protocol';

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
  const who = mine ? 'You' : message.nickname;
  if (info?.event === 'ended') {
    return { event: 'ended', streamid: info.streamid, title, text: 'Live stream ended', short: 'Live stream ended' };
  }
  const verb = mine ? 'are' : 'is';
  return {
    event: 'started',
    streamid: info?.streamid,
    title,
    text: `🔴 ${who} ${verb} live${title ? `: ${title}` : ''}`,
    short: `🔴 ${who} ${verb} live`,
  };
}

export function formatViewers(count: number): string {
  return `${count} ${count === 1 ? 'viewer' : 'viewers'}`;
}
