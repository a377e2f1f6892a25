import type { AppContext } from '../../node/AppContext';
import { ErrorCode } from '../../protocol/errors';
import { TypingPayload } from '../../protocol/schemas';
import { DeniedError, LimitError } from '../../errors/DomainError';
import { RateLimiter } from '../../util/RateLimiter';
import type { EventHandler } from '../eventTable';
import { sessionRoom } from '../Fanout';
import type { ChatSocket } from '../ChatSocket';

/**
 * typing: relayed to the session's other members. At most TYPING_RATE a second per user (per
 * process, bursts of twice that); beyond it nothing is relayed and an ack, if asked for, answers
 * `rate_limited` (the web client asks for none, so it is dropped silently).
 */
export function typingHandler(ctx: AppContext): EventHandler<'typing'> {
  const limiter = new RateLimiter(ctx.config.typingRate, ctx.config.typingRate * 2);
  return {
    schema: TypingPayload,
    async handle(socket, { sessionid }) {
      if (!socket.rooms.has(sessionRoom(sessionid))) throw new DeniedError(ErrorCode.NotMember, 'you are not a member of this session');
      if (!limiter.take(socket.data.uid)) throw new LimitError('too many typing events; slow down');
      socket.to(sessionRoom(sessionid)).emit('typing', { sessionid, uid: socket.data.uid });
      return { ok: true };
    },
  };
}
