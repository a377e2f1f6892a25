import type { AppContext } from '../../node/AppContext';
import type { SyncResult } from '../../protocol/events';
import { SyncPayload } from '../../protocol/schemas';
import type { MessageChangeDoc, MessageDoc } from '../../../storage/documents';
import { LimitError } from '../../errors/DomainError';
import { RateLimiter } from '../../util/RateLimiter';
import { messageUpdateView, messageView } from '../../views';
import type { EventHandler } from '../eventTable';

/** Most entries (messages and updates) one sync answers; a client with more to catch up calls again with its new cursors. */
const SYNC_LIMIT = 2000;

/**
 * sync (S13, S24): everything after the client's per-session cursors. Per session the answer is
 * the conversation's log after the cursor, every seq once: new messages in their current state in
 * `messages`, and change events in `updates` (each with its message's current view), both oldest
 * first. A message created and then changed inside the window is in `messages` once, as it is now,
 * and its changes are in `updates` too: applying views in any order ends in the same state.
 * When the answer is capped (`more`), each session's part ends at a seq with nothing missing before it.
 * Sessions the client does not name resume from the server's stored delivery cursor, if it has one.
 * At most SYNC_RATE a second per user (per process, bursts of five times that); beyond it
 * `rate_limited` (retryable) before any database work.
 */
export type SyncHandlerDeps = Pick<AppContext, 'config' | 'sessionService' | 'cursors' | 'messages' | 'conversationEvents' | 'fileUrls'>;

const isChange = (doc: MessageDoc | MessageChangeDoc): doc is MessageChangeDoc => 'change' in doc;

export function syncHandler(deps: SyncHandlerDeps): EventHandler<'sync'> {
  const { config, sessionService, cursors: cursorStore, messages: messageStore, conversationEvents, fileUrls } = deps;
  const limiter = new RateLimiter(config.syncRate, config.syncRate * 5);
  return {
    schema: SyncPayload,
    async handle(socket, { cursors }) {
      const { uid } = socket.data;
      if (!limiter.take(uid)) throw new LimitError('too many sync requests; try again in a moment');
      const [joined, stored] = await Promise.all([sessionService.joinedIds(uid), cursorStore.get(uid)]);
      const result: SyncResult = { messages: [], updates: [], more: false };
      const advanced = new Map<string, number>();
      let taken = 0;
      for (const sessionid of joined) {
        const after = cursors[sessionid] ?? stored.get(sessionid);
        if (after === undefined) continue;
        const room = SYNC_LIMIT - taken;
        if (room <= 0) {
          result.more = true;
          break;
        }
        const page = await messageStore.logSince(sessionid, after, room + 1);
        if (page.length > room) {
          result.more = true;
          page.length = room;
        }
        taken += page.length;
        const created = page.filter((doc): doc is MessageDoc => !isChange(doc));
        const changes = page.filter(isChange);
        // The changed messages as they are now (those created before the cursor are read too).
        const inPage = new Set(created.map((m) => m._id.toHexString()));
        const older = [...new Set(changes.flatMap(({ change }) => (change.kind === 'member' ? [] : [change.msgid])))].filter((id) => !inPage.has(id));
        const current = await conversationEvents.upToDate([...created, ...(await messageStore.getMany(older))], changes);
        const views = new Map(current.map((m) => [m._id.toHexString(), messageView(m, fileUrls)]));
        for (const m of created) result.messages.push(views.get(m._id.toHexString())!);
        for (const c of changes) result.updates.push(messageUpdateView(c, c.change.kind === 'member' ? undefined : views.get(c.change.msgid)));
        const last = page.at(-1)?.seq ?? after;
        if (last > 0) advanced.set(sessionid, last);
      }
      await cursorStore.advance(uid, advanced);
      return result;
    },
  };
}
