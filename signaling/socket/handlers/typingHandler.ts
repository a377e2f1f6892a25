import type { AppContext } from '../../node/AppContext';
import { ErrorCode } from '../../protocol/errors';
import { TypingPayload } from '../../protocol/schemas';
import { ApiError } from '../../http/ApiError';
import { RateLimiter } from '../../util/RateLimiter';
import { parsePayload } from '../ackError';
import { sessionRoom } from '../Fanout';
import type { ChatSocket } from '../ChatSocket';

/** typing: relayed to the session's other members, a few times a second at most. */
export function typingHandler(_ctx: AppContext) {
  const limiter = new RateLimiter(2, 4);
  return async (socket: ChatSocket, raw: unknown): Promise<{ ok: true }> => {
    const { sessionid } = parsePayload(TypingPayload, raw);
    if (!socket.rooms.has(sessionRoom(sessionid))) throw new ApiError(403, ErrorCode.NotMember, 'you are not a member of this session');
    if (!limiter.take(`${socket.data.uid}:${sessionid}`)) return { ok: true };
    socket.to(sessionRoom(sessionid)).emit('typing', { sessionid, uid: socket.data.uid });
    return { ok: true };
  };
}
