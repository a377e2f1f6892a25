import type { MessageBatcher } from '../storage/MessageBatcher';
import type { MessageDraft } from '../storage/MessageBatcherTypes';
import type { Metrics } from './metrics';
import type { Fanout } from './socket/Fanout';
import type { MessageStoredListener } from './push/PushNotifierTypes';
import { messageView, type FileUrlSigner } from './views';

/** What posting an announcement needs (named here, not picked from AppContext, which imports calls and live). */
export interface AnnouncementDeps {
  batcher: MessageBatcher;
  metrics: Metrics;
  fanout: Fanout;
  fileUrls: FileUrlSigner;
  /** Web Push to members away (issue 13): a call's start rings their devices. */
  push?: MessageStoredListener;
}

/**
 * A message the server posts on a user's behalf (call and live stream announcements): stored
 * through the MessageBatcher like any message and pushed to every member. The draft's uuid makes
 * each announcement idempotent.
 */
export async function postAnnouncement({ batcher, metrics, fanout, fileUrls, push }: AnnouncementDeps, draft: MessageDraft): Promise<void> {
  const stored = await batcher.submit(draft);
  if (stored.duplicate) return;
  metrics.messagesStored.inc();
  fanout.message(messageView(stored.message, fileUrls));
  push?.messageStored(stored.message);
}
