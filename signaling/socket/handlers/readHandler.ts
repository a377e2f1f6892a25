import type { AppContext } from '../../node/AppContext';
import { ReadSetPayload } from '../../protocol/attention';
import { RateLimiter } from '../../util/RateLimiter';
import { LimitError } from '../../errors/DomainError';
import type { EventHandler } from '../eventTable';

export type ReadHandlerDeps = Pick<AppContext, 'config' | 'readState'>;

/**
 * read:set (issue 13): the user has seen a conversation up to `seq`. Members only; only forward (a
 * lower seq changes nothing and the ack carries the position as it is); a seq past the end is clamped.
 */
export function readHandler({ config, readState }: ReadHandlerDeps): EventHandler<'read:set'> {
  // A client reports as it scrolls: allow bursts, bound the steady rate like sync.
  const limiter = new RateLimiter(config.syncRate * 5, config.syncRate * 20);
  return {
    schema: ReadSetPayload,
    async handle(socket, payload) {
      if (!limiter.take(socket.data.uid)) throw new LimitError('too many read:set; slow down');
      return readState.markRead(socket.data.uid, payload.sessionid, payload.seq, socket.id);
    },
  };
}
