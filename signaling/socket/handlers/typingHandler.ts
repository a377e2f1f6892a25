import type { AppContext } from '../../node/AppContext';
import { TypingPayload } from '../../protocol/schemas';
import { LimitError } from '../../errors/DomainError';
import { mustBeInSessionRoom } from '../../sessions/sessionRooms';
import { RateLimiter } from '../../util/RateLimiter';
import type { EventHandler } from '../eventTable';
import { sessionRoom } from '../Fanout';

/**
 * typing: relayed to the session's other members. At most TYPING_RATE a second per user (per
 * process, bursts of twice that); beyond it nothing is relayed and an ack, if asked for, answers
 * `rate_limited` (the web client asks for none, so it is dropped silently).
 */
export function typingHandler({ config }: Pick<AppContext, 'config'>): EventHandler<'typing'> {
  const limiter = new RateLimiter(config.typingRate, config.typingRate * 2);
  return {
    schema: TypingPayload,
    async handle(socket, { sessionid }) {
      mustBeInSessionRoom(socket, sessionid);
      if (!limiter.take(socket.data.uid)) throw new LimitError('too many typing events; slow down');
      socket.to(sessionRoom(sessionid)).emit('typing', { sessionid, uid: socket.data.uid });
      return { ok: true };
    },
  };
}
