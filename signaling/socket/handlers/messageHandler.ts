import type { AppContext } from '../../node/AppContext';
import type { MessageSendResult } from '../../protocol/events';
import { ErrorCode } from '../../protocol/errors';
import { MsgType } from '../../protocol/models';
import { Limits, MessageSendPayload } from '../../protocol/schemas';
import type { FileInfoDoc } from '../../../storage/documents';
import { DeniedError, InvalidRequestError, LimitError, TooLargeError } from '../../errors/DomainError';
import { emojifyText } from '../../emoji';
import { RateLimiter } from '../../util/RateLimiter';
import { messageView } from '../../views';
import { mustBeInSessionRoom } from '../../sessions/sessionRooms';
import type { EventHandler } from '../eventTable';
import { NotOnlineError } from '../NotOnlineError';
import { checkedMentions } from '../../attention/mentionRules';

/**
 * message:send (S15 step 4, S17): the session token must name this user and a session the socket
 * is a member of, the sender must be online, the text bounded in size and rate; the ack comes only
 * once the message is stored, then every member on every node receives it. File messages (msgtype
 * 1-4, S7, S9) name an uploaded file by `filemd5`; the stored message carries its `fileinfo` and the
 * file record lists the message.
 */
export type MessageHandlerDeps = Pick<AppContext, 'config' | 'tokens' | 'uploads' | 'files' | 'batcher' | 'metrics' | 'fanout' | 'fileUrls' | 'conversationEvents' | 'linkPreviews' | 'sessions' | 'readState' | 'push' | 'moderation'>;

export function messageHandler(deps: MessageHandlerDeps): EventHandler<'message:send'> {
  const { config, tokens, uploads, files, batcher, metrics, fanout, fileUrls, conversationEvents, linkPreviews, sessions, readState, push, moderation } = deps;
  const limiter = new RateLimiter(config.messageRate, config.messageRate * 2);
  const onlineTtlMs = config.onlineTtl * 1000;

  return {
    schema: MessageSendPayload,
    async handle(socket, payload) {
      const claims = tokens.verifySession(payload.sessionToken);
      const { uid } = socket.data;
      if (claims.uid !== uid || claims.tv !== socket.data.tokenVersion) {
        throw new DeniedError(ErrorCode.Forbidden, 'the session token belongs to another user');
      }
      mustBeInSessionRoom(socket, claims.sessionid);
      if (Date.now() - socket.data.onlineAt > onlineTtlMs) {
        throw new NotOnlineError();
      }
      const isFile = payload.msgtype >= MsgType.Image && payload.msgtype <= MsgType.File;
      if (payload.msgtype !== MsgType.Text && !isFile) {
        throw new InvalidRequestError('msgtype: text (0) or a file message (1 image, 2 voice, 3 video, 4 file) over this event');
      }
      if (isFile && !payload.filemd5) throw new InvalidRequestError('filemd5: a file message names its uploaded file by md5');
      const content = emojifyText(payload.msg);
      if (Buffer.byteLength(content) > Limits.messageBytesMax) {
        throw new TooLargeError(`a message holds at most ${Limits.messageBytesMax} bytes`);
      }
      // A file message's text is an optional caption.
      if (!isFile && content.trim().length === 0) throw new InvalidRequestError('msg: the message is empty');
      if (!limiter.take(uid)) throw new LimitError('too many messages; slow down');
      // One read of the session feeds both checks: the whole document only when mentions need its members.
      const whole = payload.mentions?.length ? await sessions.get(claims.sessionid) : undefined;
      // S26: a muted group member (`muted`, until when) or a block in a private chat (`blocked`).
      await moderation.mustBeAbleToWriteIn(whole ?? (await sessions.writeState(claims.sessionid)), uid);

      // S24: a reply quotes a live message of the same conversation, else `not_found`.
      const replyTo = payload.replyTo ? await conversationEvents.quote(claims.sessionid, payload.replyTo) : undefined;
      // Issue 13: members only (`invalid_mentions`), `all` from a group's owners and admins.
      const mentions = whole && payload.mentions ? checkedMentions(whole, uid, payload.mentions) : undefined;
      let fileinfo: FileInfoDoc | undefined;
      let fileid: string | undefined;
      if (isFile) {
        // S9: the file was uploaded (POST /api/files) and is named by its md5; only bytes the sender may
        // read already (uploaded, or posted where they are a member now) can be named, else the same
        // refusal as for unknown bytes, so an md5 is never a key to someone else's file. Its kind must fit the msgtype.
        const file = await uploads.readableByMd5(payload.filemd5!, uid);
        uploads.checkMsgType(file, payload.msgtype as MsgType);
        fileinfo = uploads.infoFor(file, payload.filename);
        fileid = fileinfo.fileid;
        // Members may fetch the file from the moment the message can reach them.
        await files.linkSession(fileid, claims.sessionid);
      }

      const stored = await batcher.submit({
        sessionid: claims.sessionid,
        senduid: uid,
        nickname: socket.data.nickname,
        msgtype: payload.msgtype as MsgType,
        content,
        uuid: payload.uuid,
        ...(fileinfo ? { fileinfo } : {}),
        ...(replyTo ? { replyTo } : {}),
        ...(mentions?.length ? { mentions } : {}),
      });
      const { message } = stored;
      const msgid = message._id.toHexString();
      // The message-to-file link both ways: fileinfo.fileid names the file, the file lists the message.
      const linkedId = message.fileinfo?.fileid ?? fileid;
      if (linkedId) await files.linkMessage(linkedId, msgid, message.sessionid);
      if (!stored.duplicate) {
        metrics.messagesStored.inc();
        fanout.message(messageView(message, fileUrls));
        // In the background: the preview reaches the message later as a change (never delays the ack).
        linkPreviews.scheduleFor(message);
        // Issue 13: the sender has read up to their own message; members away get a push.
        await readState.markSent(message, socket.id);
        push.messageStored(message);
      }
      return { msgid, seq: message.seq, time: message.dateline, ...(stored.duplicate ? { duplicate: true } : {}) };
    },
  };
}
