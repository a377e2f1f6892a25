import type { AppContext } from '../../node/AppContext';
import type { MessageSendResult } from '../../protocol/events';
import { ErrorCode } from '../../protocol/errors';
import { Limits, MessageSendPayload } from '../../protocol/schemas';
import { ApiError } from '../../http/ApiError';
import { emojifyText } from '../../emoji';
import { RateLimiter } from '../../util/RateLimiter';
import { messageView } from '../../views';
import { parsePayload } from '../ackError';
import { sessionRoom } from '../Fanout';
import type { ChatSocket } from '../ChatSocket';

/**
 * message:send (S15 step 4, S17): the session token must name this user and a session the socket
 * is a member of, the sender must be online, the text bounded in size and rate; the ack comes only
 * once the message is stored, then every member on every node receives it.
 */
export function messageHandler(ctx: AppContext) {
  const limiter = new RateLimiter(ctx.config.messageRate, ctx.config.messageRate * 2);
  const onlineTtlMs = ctx.config.onlineTtl * 1000;

  return async (socket: ChatSocket, raw: unknown): Promise<MessageSendResult> => {
    const payload = parsePayload(MessageSendPayload, raw);
    const claims = ctx.tokens.verifySession(payload.sessionToken);
    const { uid } = socket.data;
    if (claims.uid !== uid || claims.tv !== socket.data.tokenVersion) {
      throw new ApiError(403, ErrorCode.Forbidden, 'the session token belongs to another user');
    }
    if (!socket.rooms.has(sessionRoom(claims.sessionid))) {
      throw new ApiError(403, ErrorCode.NotMember, 'you are not a member of this session');
    }
    if (Date.now() - socket.data.onlineAt > onlineTtlMs) {
      throw new ApiError(409, ErrorCode.NotOnline, 'your online record expired; reconnect', true);
    }
    if (payload.msgtype !== 0) {
      throw new ApiError(400, ErrorCode.InvalidInput, 'msgtype: only text (0) can be sent over the socket');
    }
    const content = emojifyText(payload.msg);
    if (Buffer.byteLength(content) > Limits.messageBytesMax) {
      throw new ApiError(413, ErrorCode.TooLarge, `a message holds at most ${Limits.messageBytesMax} bytes`);
    }
    if (content.trim().length === 0) throw new ApiError(400, ErrorCode.InvalidInput, 'msg: the message is empty');
    if (!limiter.take(uid)) throw new ApiError(429, ErrorCode.RateLimited, 'too many messages; slow down', true);

    const stored = await ctx.batcher.submit({
      sessionid: claims.sessionid,
      senduid: uid,
      nickname: socket.data.nickname,
      msgtype: 0,
      content,
      uuid: payload.uuid,
    });
    const { message } = stored;
    if (!stored.duplicate) {
      ctx.metrics.messagesStored.inc();
      ctx.fanout.message(messageView(message));
    }
    return { msgid: message._id.toHexString(), seq: message.seq, time: message.dateline, ...(stored.duplicate ? { duplicate: true } : {}) };
  };
}
