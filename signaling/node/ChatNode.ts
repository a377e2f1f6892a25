import { createServer, type Server as HttpServer } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Server } from 'socket.io';
import type { Logger } from 'pino';
import { CursorStore } from '../../storage/CursorStore';
import { FileStore } from '../../storage/FileStore';
import { LinkPreviewStore } from '../../storage/LinkPreviewStore';
import { Database } from '../../storage/Database';
import { MessageBatcher } from '../../storage/MessageBatcher';
import { MessageChangeStore } from '../../storage/MessageChangeStore';
import { MessageStore } from '../../storage/MessageStore';
import { PresenceStore } from '../../storage/PresenceStore';
import { SessionStore } from '../../storage/SessionStore';
import { BlockStore } from '../../storage/BlockStore';
import { FriendStore } from '../../storage/FriendStore';
import { InviteStore } from '../../storage/InviteStore';
import { UserStore } from '../../storage/UserStore';
import { PushSubscriptionStore } from '../../storage/PushSubscriptionStore';
import { ReadStateStore } from '../../storage/ReadStateStore';
import { ConversationMute } from '../attention/ConversationMute';
import { ReadState } from '../attention/ReadState';
import { readFromJoin } from '../attention/readFromJoin';
import { PushNotifier } from '../push/PushNotifier';
import { PushSender } from '../push/PushSender';
import { VapidKeys } from '../push/VapidKeys';
import { TokenService } from '../auth/TokenService';
import type { WorkerPool } from '../../media';
import { CallMessages } from '../calls/CallMessages';
import { Calls } from '../calls/Calls';
import { ClusterPeers } from '../cluster/ClusterPeers';
import { Live } from '../live/Live';
import { postAnnouncement } from '../announcements';
import type { Config } from '../config';
import { ConversationEvents } from '../conversation-events/ConversationEvents';
import { previewSink } from '../conversation-events/previewSink';
import { FileService } from '../files/FileService';
import { Thumbnailer } from '../files/Thumbnailer';
import { UrlSigner } from '../files/UrlSigner';
import { createApp, type AppOptions } from '../http/createApp';
import { LinkPreviewer } from '../link-previews/LinkPreviewer';
import { linkPreviewOptions } from '../link-previews/linkPreviewOptions';
import { Metrics } from '../metrics';
import { SessionService } from '../sessions/SessionService';
import { BlockService } from '../people/BlockService';
import { FriendService } from '../people/FriendService';
import { InviteService } from '../people/InviteService';
import { ModerationService } from '../people/ModerationService';
import { Fanout, type ChatServer } from '../socket/Fanout';
import { originOptions } from '../socket/originPolicy';
import { registerSocketHandlers } from '../socket/registerSocketHandlers';
import type { AppContext } from './AppContext';
import { startMediaPool } from './startMediaPool';

export interface ChatNodeOptions {
  config: Config;
  logger: Logger;
  mongoUrl: string;
  jwtSecret: string;
  /** Extra app options (cluster-wide metrics). */
  app?: Omit<AppOptions, 'webRoot'>;
}

/** One serving process: database stores, the express app and the Socket.IO server over one HTTP server. */
export class ChatNode {
  private constructor(
    readonly ctx: AppContext,
    readonly http: HttpServer,
    readonly io: ChatServer,
    private readonly mediaPool: Promise<WorkerPool | null>,
  ) {}

  static async create(options: ChatNodeOptions): Promise<ChatNode> {
    const { config, logger } = options;
    const db = await Database.connect({ url: options.mongoUrl, dbName: config.mongoDb, onlineTtlSeconds: config.onlineTtl });
    const metrics = new Metrics();
    // The app is mounted before Socket.IO attaches, so Socket.IO sees its own paths first and
    // passes every other request on to express.
    let app: ReturnType<typeof createApp> | undefined;
    const http = createServer((req, res) => app!(req, res));
    const io: ChatServer = new Server(http, {
      // Chat payloads are small and files go over HTTP; a frame up to this size is still read, so an
      // oversized event is answered `too_large` (eventSizeGuard.ts) instead of closing the connection.
      maxHttpBufferSize: config.socketMaxFrameBytes,
      // Pongs are the keepalive that refreshes online records (S17), so ping well within their TTL.
      pingInterval: Math.min(20_000, Math.max(1000, (config.onlineTtl * 1000) / 3)),
      pingTimeout: 20_000,
      ...originOptions(config.allowedOrigins),
    });
    const files = new FileStore(db, config.dataDir);
    const fileUrls = new UrlSigner(options.jwtSecret, config.fileUrlTtl);
    const users = new UserStore(db);
    const sessions = new SessionStore(db);
    const presence = new PresenceStore(db, config.onlineTtl * 1000);
    const fanout = new Fanout(io);
    const thumbnailer = new Thumbnailer(config.imageMaxPixels);
    const messages = new MessageStore(db);
    const batcher = new MessageBatcher(db, {
      windowMs: config.batchWindowMs,
      onBatch: (size, seconds) => {
        metrics.batchSize.observe(size);
        metrics.storeLatency.observe(seconds);
      },
    });
    const changes = new MessageChangeStore(db);
    const conversationEvents = new ConversationEvents({ config, batcher, messages, changes, sessions, files, fanout, fileUrls });
    // Attention (issue 13): read state, mutes, Web Push.
    const readStates = new ReadStateStore(db);
    const pushSubscriptions = new PushSubscriptionStore(db);
    const vapid = await VapidKeys.load(config, logger);
    const pushSender = new PushSender({
      vapid,
      logger,
      ttlSeconds: config.pushTtl,
      concurrency: config.pushConcurrency,
      onGone: (endpoint) => pushSubscriptions.removeEndpoint(endpoint),
    });
    // People (S26): blocks refuse private chats and adds; moderation works through the SessionService.
    const blockStore = new BlockStore(db);
    const friendService = new FriendService({ friends: new FriendStore(db), blocks: blockStore, users, presence, fanout, fileUrls, requestsPerHour: config.friendRequestsPerHour });
    const blockService = new BlockService({ blocks: blockStore, users, presence, fileUrls, friends: friendService });
    const sessionService = new SessionService({ sessions, users, presence, fanout, fileUrls, memberEvents: readFromJoin(conversationEvents, readStates), blocks: blockService });
    const ctx: AppContext = {
      config,
      logger,
      nodeId: `${os.hostname()}:${process.pid}`,
      db,
      users,
      sessions,
      sessionService,
      friendService,
      blockService,
      inviteService: new InviteService({ invites: new InviteStore(db), sessions, sessionService }),
      moderation: new ModerationService({ sessions, sessionService, blocks: blockStore, users, presence, fileUrls }),
      messages,
      batcher,
      conversationEvents,
      cursors: new CursorStore(db),
      presence,
      tokens: new TokenService(options.jwtSecret, config.userTokenTtl, config.sessionTokenTtl),
      metrics,
      fanout,
      files,
      uploads: new FileService(files, thumbnailer, fileUrls, logger),
      fileUrls,
      // A finished preview becomes the message's change event (S24): `message:update` kind `preview`.
      linkPreviews: new LinkPreviewer(
        linkPreviewOptions(config, { store: new LinkPreviewStore(db), files, thumbnailer, logger, sink: previewSink(conversationEvents) }),
      ),
      readState: new ReadState({ readStates, sessionService, io, logger }),
      conversationMute: new ConversationMute({ readStates, sessionService }),
      push: new PushNotifier({ sessions, users, presence, readStates, subscriptions: pushSubscriptions, sender: pushSender, logger }),
      pushSubscriptions,
      vapid,
    };
    // Temporary files of uploads a crash interrupted.
    files.sweepTemp().catch((err) => logger.warn({ err }, 'sweeping temporary upload files failed'));
    app = createApp(ctx, { ...options.app, webRoot: path.resolve('web/dist') });
    const mediaPool = startMediaPool(ctx);
    const peers = new ClusterPeers(io, logger);
    ctx.calls = Calls.create(
      { config, logger, nodeId: ctx.nodeId, db, sessions: ctx.sessions, metrics, io, peers, announcements: new CallMessages(ctx), blocks: blockService, recording: ctx },
      mediaPool,
    );
    ctx.live = Live.create(
      {
        config,
        logger,
        nodeId: ctx.nodeId,
        db,
        sessions: ctx.sessions,
        users: ctx.users,
        metrics,
        io,
        fanout: ctx.fanout,
        fileUrls,
        peers,
        announce: (draft) => postAnnouncement(ctx, draft),
      },
      mediaPool,
    );
    registerSocketHandlers(ctx, io);
    return new ChatNode(ctx, http, io, mediaPool);
  }

  /** Stops taking connections, stores every pending message, then closes the database. */
  async close(): Promise<void> {
    const { logger } = this.ctx;
    logger.info('shutting down: flushing pending messages');
    // Calls end first, so their "call ended" messages are stored with the rest.
    await Promise.all([
      this.ctx.calls?.close().catch((err) => logger.warn({ err }, 'closing calls failed')),
      this.ctx.live?.close().catch((err) => logger.warn({ err }, 'closing live streams failed')),
    ]);
    (await this.mediaPool)?.close();
    await this.ctx.linkPreviews.close();
    await this.ctx.batcher.close();
    await new Promise<void>((resolve) => this.io.close(() => resolve()));
    await this.ctx.presence.clearNode(this.ctx.nodeId).catch(() => undefined);
    await this.ctx.db.close();
    logger.info('shut down');
  }
}
