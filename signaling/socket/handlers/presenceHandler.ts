import type { AppContext } from '../../node/AppContext';
import { PresenceSetPayload } from '../../protocol/schemas';
import { LimitError } from '../../errors/DomainError';
import { mustBeInSessionRoom } from '../../sessions/sessionRooms';
import { RateLimiter } from '../../util/RateLimiter';
import type { EventHandler } from '../eventTable';
import { announcePresence } from '../presenceAnnouncements';

/**
 * presence:set: online / away / busy / invisible, everywhere or for one conversation. At most
 * PRESENCE_RATE a second per user (per process); beyond it `rate_limited`, nothing stored or sent.
 */
export function presenceHandler({ config, users }: Pick<AppContext, 'config' | 'users'>): EventHandler<'presence:set'> {
  const limiter = new RateLimiter(config.presenceRate, config.presenceRate * 5);
  return {
    schema: PresenceSetPayload,
    async handle(socket, { status, sessionid }) {
      if (sessionid) mustBeInSessionRoom(socket, sessionid);
      if (!limiter.take(socket.data.uid)) throw new LimitError('too many status changes; slow down');
      const { before, after } = await users.setPresence(socket.data.uid, status, sessionid);
      announcePresence(socket, after, true, sessionid, before);
      return { ok: true };
    },
  };
}
