import { MongoClient, type Collection, type Db } from 'mongodb';
import type { ConversationLogDoc, CursorDoc, FileDoc, LinkPreviewDoc, LiveStreamDoc, MessageChangeDoc, MessageDoc, MigrationDoc, OnlineDoc, PushSubscriptionDoc, ReadStateDoc, SessionDoc, UserDoc, UserSlotDoc } from './documents';

export interface DatabaseOptions {
  url: string;
  dbName?: string;
  /** Seconds an online record lives without a keepalive refresh. */
  onlineTtlSeconds: number;
}

/** The product's MongoDB database: one client, the typed collections, and the indexes their queries need. */
export class Database {
  readonly users: Collection<UserDoc>;
  readonly sessions: Collection<SessionDoc>;
  readonly messages: Collection<MessageDoc>;
  /**
   * The same `messages` collection seen whole: messages and their change events (S24), which share
   * the unique (sessionid, seq) index and so one gapless seq per conversation.
   */
  readonly conversationLog: Collection<ConversationLogDoc>;
  /** The change events alone (queries select them by `change.*` fields). */
  readonly messageChanges: Collection<MessageChangeDoc>;
  readonly online: Collection<OnlineDoc>;
  readonly cursors: Collection<CursorDoc>;
  readonly files: Collection<FileDoc>;
  readonly liveStreams: Collection<LiveStreamDoc>;
  readonly userSlots: Collection<UserSlotDoc>;
  /** One-time data migrations that ran (storage/SearchTermsBackfill.ts). */
  readonly migrations: Collection<MigrationDoc>;
  readonly linkPreviews: Collection<LinkPreviewDoc>;
  /** Issue 13: each user's read position and mute per conversation; Web Push subscriptions. */
  readonly readStates: Collection<ReadStateDoc>;
  readonly pushSubscriptions: Collection<PushSubscriptionDoc>;

  private constructor(
    readonly client: MongoClient,
    readonly db: Db,
    private readonly options: DatabaseOptions,
  ) {
    this.users = db.collection<UserDoc>('users');
    this.sessions = db.collection<SessionDoc>('sessions');
    this.messages = db.collection<MessageDoc>('messages');
    this.conversationLog = db.collection<ConversationLogDoc>('messages');
    this.messageChanges = db.collection<MessageChangeDoc>('messages');
    this.online = db.collection<OnlineDoc>('online');
    this.cursors = db.collection<CursorDoc>('cursors');
    this.files = db.collection<FileDoc>('files');
    this.liveStreams = db.collection<LiveStreamDoc>('livestreams');
    this.userSlots = db.collection<UserSlotDoc>('userslots');
    this.migrations = db.collection<MigrationDoc>('migrations');
    this.linkPreviews = db.collection<LinkPreviewDoc>('linkpreviews');
    this.readStates = db.collection<ReadStateDoc>('readstates');
    this.pushSubscriptions = db.collection<PushSubscriptionDoc>('pushsubscriptions');
  }

  static async connect(options: DatabaseOptions): Promise<Database> {
    const client = new MongoClient(options.url, {
      serverSelectionTimeoutMS: 10_000,
      maxPoolSize: 20,
      // Writes fail fast with a retryable error instead of hanging when the server is away.
      retryWrites: true,
    });
    await client.connect();
    return new Database(client, client.db(options.dbName ?? 'cookim'), options);
  }

  async ensureIndexes(): Promise<void> {
    await Promise.all([
      this.users.createIndexes([{ key: { login: 1 }, unique: true }, { key: { nickname: 1 } }]),
      this.sessions.createIndexes([
        { key: { uids: 1 } },
        { key: { senduid: 1 } },
        { key: { recvuid: 1 }, sparse: true },
        { key: { visabletype: 1, sessiontype: 1, dateline: -1 } },
        { key: { pairKey: 1 }, unique: true, sparse: true },
      ]),
      this.messages.createIndexes([
        { key: { sessionid: 1, seq: 1 }, unique: true },
        { key: { sessionid: 1, senduid: 1, uuid: 1 }, unique: true },
        { key: { senduid: 1 } },
        { key: { 'fileinfo.fileid': 1 }, sparse: true },
        // A message's change events, in order (re-applying them, S24); messages themselves are not indexed.
        { key: { 'change.msgid': 1, seq: 1 }, name: 'change_msgid_seq', partialFilterExpression: { 'change.msgid': { $exists: true } } },
        // Message search (storage/MessageSearch.ts): a term, the caller's conversations, newest first (_id breaks ties).
        { key: { terms: 1, sessionid: 1, dateline: -1, _id: -1 } },
        // Mentions view (issue 13): a user's (or `all`) mentions in their conversations, newest first.
        { key: { mentions: 1, sessionid: 1, dateline: -1, _id: -1 }, name: 'mentions_session_time', partialFilterExpression: { mentions: { $exists: true } } },
      ]),
      this.online.createIndexes([
        { key: { uid: 1 } },
        { key: { time: 1 }, expireAfterSeconds: this.options.onlineTtlSeconds },
      ]),
      this.cursors.createIndexes([{ key: { uid: 1, sessionid: 1 }, unique: true }]),
      this.ensureFileIndexes(),
      this.liveStreams.createIndexes([{ key: { state: 1, startedAt: -1 } }, { key: { replayUntil: 1 }, sparse: true }]),
      // Releases and refreshes of per-user places look them up by holder.
      this.userSlots.createIndexes([{ key: { holder: 1 } }]),
      // Link previews are found by URL (_id); stale ones are removed by the TTL index.
      this.linkPreviews.createIndexes([{ key: { expiresAt: 1 }, expireAfterSeconds: 0 }]),
      // Read states by user (GET /api/sessions) and by conversation (receipts, mutes); subscriptions by user.
      this.readStates.createIndexes([{ key: { uid: 1 } }, { key: { sessionid: 1, uid: 1 } }]),
      this.pushSubscriptions.createIndexes([{ key: { endpoint: 1 }, unique: true }, { key: { uid: 1 } }]),
    ]);
  }

  /**
   * One record per content (S9): concurrent uploads of the same bytes meet on the unique sha256
   * index (sparse: records stored before contents were keyed by sha256 have none until re-uploaded).
   * md5 is a lookup key only, since different bytes may share one: the unique md5 index of earlier
   * versions is dropped before the plain one takes its name.
   */
  private async ensureFileIndexes(): Promise<void> {
    const existing = await this.files.listIndexes().toArray().catch(() => []);
    if (existing.some((index) => index.name === 'md5_1' && index.unique)) {
      await this.files.dropIndex('md5_1').catch((err: { codeName?: string }) => {
        // Another process of the node dropped it first.
        if (err.codeName !== 'IndexNotFound') throw err;
      });
    }
    await this.files.createIndexes([
      { key: { sha256: 1 }, unique: true, sparse: true },
      { key: { md5: 1 } },
      { key: { uploaders: 1 } },
      { key: { msgids: 1 } },
    ]);
  }

  async ping(): Promise<void> {
    await this.db.command({ ping: 1 });
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}
