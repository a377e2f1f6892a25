import { formatDuration } from '../protocol/duration';
import { MsgType } from '../protocol/models';
import type { LiveDeps } from './LiveDeps';
import type { LiveStream } from './LiveStream';

/** A stream's msgtype 7 announcements in its conversation, one per stream and event. */
export class LiveAnnouncer {
  constructor(private readonly deps: Pick<LiveDeps, 'announce' | 'logger'>) {}

  async announce(stream: LiveStream, event: 'started' | 'ended'): Promise<void> {
    if (!stream.sessionid) return;
    const shownFrom = stream.liveAt ?? stream.startedAt;
    const content = event === 'started' ? `is live: ${stream.title}` : `live stream ended, ${formatDuration((stream.endedAt ?? Date.now()) - shownFrom)}`;
    await this.deps
      .announce({
        sessionid: stream.sessionid,
        senduid: stream.publisher.uid,
        nickname: stream.publisher.nickname,
        msgtype: MsgType.Live,
        content,
        uuid: `live:${stream.streamid}:${event}`,
        liveinfo: { streamid: stream.streamid, title: stream.title, event },
      })
      .catch((err) => this.deps.logger.warn({ err, streamid: stream.streamid }, 'posting the live stream message failed'));
  }
}
