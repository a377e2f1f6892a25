import type { AppContext } from '../../node/AppContext';
import type { SyncResult } from '../../protocol/events';
import { SyncPayload } from '../../protocol/schemas';
import { LimitError } from '../../errors/DomainError';
import { RateLimiter } from '../../util/RateLimiter';
import { messageView } from '../../views';
import type { EventHandler } from '../eventTable';

/** Most messages one sync answers; a client with more to catch up calls again with its new cursors. */
const SYNC_LIMIT = 2000;

/**
 * sync (S13): everything after the client's per-session cursors, oldest first per session. Sessions
 * the client does not name resume from the server's stored delivery cursor, if it has one.
 * At most SYNC_RATE a second per user (per process, bursts of five times that); beyond it
 * `rate_limited` (retryable) before any database work.
 */
export type SyncHandlerDeps = Pick<AppContext, 'config' | 'sessionService' | 'cursors' | 'messages' | 'fileUrls'>;

export function syncHandler({ config, sessionService, cursors: cursorStore, messages: messageStore, fileUrls }: SyncHandlerDeps): EventHandler<'sync'> {
  const limiter = new RateLimiter(config.syncRate, config.syncRate * 5);
  return {
    schema: SyncPayload,
    async handle(socket, { cursors }) {
      const { uid } = socket.data;
      if (!limiter.take(uid)) throw new LimitError('too many sync requests; try again in a moment');
      const [joined, stored] = await Promise.all([sessionService.joinedIds(uid), cursorStore.get(uid)]);
      const messages: SyncResult['messages'] = [];
      const advanced = new Map<string, number>();
      let more = false;
      for (const sessionid of joined) {
        const after = cursors[sessionid] ?? stored.get(sessionid);
        if (after === undefined) continue;
        const room = SYNC_LIMIT - messages.length;
        if (room <= 0) {
          more = true;
          break;
        }
        const page = await messageStore.since(sessionid, after, room + 1);
        if (page.length > room) {
          more = true;
          page.length = room;
        }
        for (const doc of page) messages.push(messageView(doc, fileUrls));
        const last = page.at(-1)?.seq ?? after;
        if (last > 0) advanced.set(sessionid, last);
      }
      await cursorStore.advance(uid, advanced);
      return { messages, more };
    },
  };
}
