import type { Logger } from 'pino';
import type { MessageDoc } from '../../storage/documents';
import type { PresenceStore } from '../../storage/PresenceStore';
import type { PushSubscriptionStore } from '../../storage/PushSubscriptionStore';
import type { ReadStateStore } from '../../storage/ReadStateStore';
import type { SessionStore } from '../../storage/SessionStore';
import type { UserStore } from '../../storage/UserStore';
import type { PushSender } from './PushSender';

/** What the PushNotifier works with. */
export interface PushNotifierDeps {
  sessions: SessionStore;
  users: UserStore;
  /** Who has a connected socket anywhere in the cluster (the online records). */
  presence: PresenceStore;
  /** Mutes. */
  readStates: ReadStateStore;
  subscriptions: PushSubscriptionStore;
  sender: PushSender;
  logger: Logger;
}

/** Told of every message once it is stored (sends, call and live announcements). */
export interface MessageStoredListener {
  messageStored(message: MessageDoc): void;
}
