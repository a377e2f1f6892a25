import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { postAnnouncement } from '../../announcements';
import { MsgType } from '../../protocol/models';
import type { CallKind } from '../../protocol/calls';
import { messageView } from '../../views';
import type { RecordingDeps } from './RecordingDeps';

/** The call a recording belongs to, as its messages need it. */
export interface RecordedCall {
  callid: string;
  sessionid: string;
  kind: CallKind;
}

export interface RecordingAuthor {
  uid: string;
  nickname: string;
  startedAt: number;
}

/**
 * A recording's two messages in the conversation: "X started recording" (a call announcement,
 * msgtype 5/6 with `callinfo.event` `recording`), and the finished MP4 as a video message (msgtype 3)
 * from the same user, stored and fanned out like any file message.
 */
export class RecordingMessages {
  constructor(private readonly deps: RecordingDeps) {}

  async announceStart(call: RecordedCall, by: RecordingAuthor): Promise<void> {
    await postAnnouncement(this.deps, {
      sessionid: call.sessionid,
      senduid: by.uid,
      nickname: by.nickname,
      msgtype: call.kind === 'video' ? MsgType.VideoCall : MsgType.VoiceCall,
      content: 'started recording the call',
      uuid: `call:${call.callid}:recording:${by.startedAt}`,
      callinfo: { callid: call.callid, event: 'recording', video: call.kind === 'video' },
    });
  }

  /**
   * Stores the MP4 as the author's file (their quota: `quota_exceeded` when it does not fit), with
   * the poster's thumbnail, and posts it. The MP4 is moved into the store (or removed).
   */
  async postVideo(call: RecordedCall, by: RecordingAuthor, mp4: string, poster: string | null): Promise<string> {
    const { uploads, files, config, batcher, metrics, fanout, fileUrls, push } = this.deps;
    const hashes = await hashFile(mp4);
    const name = `call-recording-${new Date(by.startedAt).toISOString().slice(0, 16).replace(/[T:]/g, '-')}.mp4`;
    let file;
    try {
      file = await uploads.ingest(
        { tempFile: mp4, ...hashes, clientName: name, declaredMime: 'video/mp4', fields: { md5: hashes.md5 } },
        by.uid,
        { intent: MsgType.Video, quotaBytes: config.userStorageQuota, ...(poster ? { posterImage: poster } : {}) },
      );
    } finally {
      // Gone already once stored; still there when refused or when the same bytes were stored before.
      await files.remove(mp4).catch(() => undefined);
    }
    const fileinfo = uploads.infoFor(file, name);
    await files.linkSession(fileinfo.fileid, call.sessionid);
    const stored = await batcher.submit({
      sessionid: call.sessionid,
      senduid: by.uid,
      nickname: by.nickname,
      msgtype: MsgType.Video,
      content: '',
      uuid: `call:${call.callid}:recording:${by.startedAt}:video`,
      fileinfo,
    });
    const { message } = stored;
    const msgid = message._id.toHexString();
    await files.linkMessage(fileinfo.fileid, msgid, message.sessionid);
    if (!stored.duplicate) {
      metrics.messagesStored.inc();
      fanout.message(messageView(message, fileUrls));
      push?.messageStored(message);
    }
    return msgid;
  }
}

async function hashFile(file: string): Promise<{ md5: string; sha256: string; size: number }> {
  const md5 = createHash('md5');
  const sha256 = createHash('sha256');
  await pipeline(createReadStream(file), async function* (source: AsyncIterable<Buffer>) {
    for await (const chunk of source) {
      md5.update(chunk);
      sha256.update(chunk);
    }
    yield* [];
  });
  return { md5: md5.digest('hex'), sha256: sha256.digest('hex'), size: (await stat(file)).size };
}
