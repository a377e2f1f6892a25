import type { MessageDraft } from '../storage/MessageBatcherTypes';
import type { AppContext } from './node/AppContext';
import { messageView } from './views';

/**
 * A message the server posts on a user's behalf (call and live stream announcements): stored
 * through the MessageBatcher like any message and pushed to every member. The draft's uuid makes
 * each announcement idempotent.
 */
export async function postAnnouncement(ctx: AppContext, draft: MessageDraft): Promise<void> {
  const stored = await ctx.batcher.submit(draft);
  if (stored.duplicate) return;
  ctx.metrics.messagesStored.inc();
  ctx.fanout.message(messageView(stored.message, ctx.fileUrls));
}
