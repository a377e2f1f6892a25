import type { Logger } from 'pino';
import type { Database } from '../../storage/Database';
import type { CursorStore } from '../../storage/CursorStore';
import type { FileStore } from '../../storage/FileStore';
import type { MessageBatcher } from '../../storage/MessageBatcher';
import type { MessageStore } from '../../storage/MessageStore';
import type { PresenceStore } from '../../storage/PresenceStore';
import type { SessionStore } from '../../storage/SessionStore';
import type { UserStore } from '../../storage/UserStore';
import type { PushSubscriptionStore } from '../../storage/PushSubscriptionStore';
import type { ConversationMute } from '../attention/ConversationMute';
import type { ReadState } from '../attention/ReadState';
import type { PushNotifier } from '../push/PushNotifier';
import type { VapidKeys } from '../push/VapidKeys';
import type { TokenService } from '../auth/TokenService';
import type { Config } from '../config';
import type { ConversationEvents } from '../conversation-events/ConversationEvents';
import type { FileService } from '../files/FileService';
import type { LinkPreviewer } from '../link-previews/LinkPreviewer';
import type { UrlSigner } from '../files/UrlSigner';
import type { LiveQueries } from '../live/LiveQueries';
import type { Live } from '../live/Live';
import type { Metrics } from '../metrics';
import type { SessionService } from '../sessions/SessionService';
import type { BlockService } from '../people/BlockService';
import type { FriendService } from '../people/FriendService';
import type { InviteService } from '../people/InviteService';
import type { ModerationService } from '../people/ModerationService';
import type { Fanout } from '../socket/Fanout';
import type { ChatSocket } from '../socket/ChatSocket';

/** A feature whose socket events attach on a socket's first use of them (calls, live streams). */
export interface SocketFeature {
  attach(socket: ChatSocket): void;
  /** Shutdown: ends what the feature runs on this process. */
  close(): Promise<void>;
}

/** The services one node's HTTP routes and socket handlers share. */
export interface AppContext {
  config: Config;
  logger: Logger;
  /** Identifies this process in online records. */
  nodeId: string;
  db: Database;
  users: UserStore;
  sessions: SessionStore;
  /** Conversations and who may read, write and manage them (routes and socket handlers go through it). */
  sessionService: SessionService;
  messages: MessageStore;
  batcher: MessageBatcher;
  /** Edits, deletes, reactions, pins, link previews and membership events of conversations (S24). */
  conversationEvents: ConversationEvents;
  cursors: CursorStore;
  presence: PresenceStore;
  tokens: TokenService;
  metrics: Metrics;
  fanout: Fanout;
  /** Stored files: records and content on disk (S9, S20). */
  files: FileStore;
  /** Upload checks, thumbnails, avatars and file access. */
  uploads: FileService;
  /** Signs the file URLs handed to users allowed to see the files. */
  fileUrls: UrlSigner;
  /** Link previews of text messages, fetched by the server (issue 12; `scheduleFor` once a message is stored). */
  linkPreviews: LinkPreviewer;
  // ---- people (S26) ----
  friendService: FriendService;
  blockService: BlockService;
  inviteService: InviteService;
  /** Group roles, mutes, kicks, bans; and whether a member may write now (mutes, blocks). */
  moderation: ModerationService;
  /** Group calls (S18); set once the node is built. */
  calls?: SocketFeature;
  // ---- attention (issue 13) ----
  /** Read positions, unread counts and read receipts. */
  readState: ReadState;
  /** Per-member mute of conversations. */
  conversationMute: ConversationMute;
  /** Web Push to users with no connected socket, after each stored message. */
  push: PushNotifier;
  pushSubscriptions: PushSubscriptionStore;
  vapid: VapidKeys;
  /** Live streams (S12, S19); set once the node is built. */
  live?: SocketFeature & { readonly queries: LiveQueries; readonly ingest: Live['ingest'] };
}
