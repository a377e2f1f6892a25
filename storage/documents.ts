/** Document shapes of the MongoDB collections (S8). Field names follow the CookIM notes where they exist. */
import type { ObjectId } from 'mongodb';

/** S8 codes, as stored (the wire module mirrors them with names). */
export type Gender = 0 | 1 | 2;
export type SessionType = 0 | 1;
export type VisableType = 0 | 1;
export type JoinType = 0 | 1;
export type MsgType = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7;
export type PresenceStatus = 'online' | 'away' | 'busy' | 'invisible';

export interface UserDoc {
  _id: ObjectId;
  /** Email, lower-cased; unique. */
  login: string;
  nickname: string;
  /** `scrypt$N$r$p$salt$hash` (base64 parts). */
  passwordHash: string;
  gender: Gender;
  avatar?: string;
  lastlogin: number;
  logincount: number;
  friends: string[];
  dateline: number;
  /** Bumped on logout and password change: tokens carrying an older value are revoked. */
  tokenVersion: number;
  presence: { status: PresenceStatus; sessions: Record<string, PresenceStatus> };
  /** Issue 13: false when the user sends (and sees) no read receipts; absent: on. */
  readReceipts?: boolean;
}

export interface SessionDoc {
  _id: ObjectId;
  senduid: string;
  recvuid?: string;
  sessiontype: SessionType;
  visabletype: VisableType;
  jointype: JoinType;
  name: string;
  dateline: number;
  uids: string[];
  /** Highest stored message seq (may briefly lag the messages collection, which is authoritative). */
  lastSeq: number;
  lastActivity: number;
  lastMessage?: MessageDoc;
  /** Private sessions only: the two uids sorted and joined, unique, so a pair has one conversation. */
  pairKey?: string;
  /** Group roles beyond plain membership (groups stored before roles: the creator, `senduid`, is the owner; signaling/sessions/groupRoles.ts). */
  roles?: Record<string, 'owner' | 'admin'>;
  /** Groups (S26): users banned from the group (they cannot join, be added or use an invite). */
  bans?: string[];
  /** Groups (S26): muted members and until when (ms since epoch). */
  mutes?: Record<string, number>;
  /** Groups (S26): the group's picture, an avatar path (`/api/files/<fileid>/avatar`). */
  avatar?: string;
}

export interface FileInfoDoc {
  fileid: string;
  filepath?: string;
  filename: string;
  filetype: string;
  filemd5: string;
  size: number;
  dateline: number;
  /** Images: the stored thumbnail (relative to the data directory) and the upright pixel size. */
  thumbpath?: string;
  width?: number;
  height?: number;
}

/** What the bytes are, detected from their content (never from the client's claim). */
export type FileKind = 'image' | 'audio' | 'video' | 'file';

/**
 * One stored file (S9, S20): the same bytes are stored once, under a content-addressed name, and the
 * record links sha256, md5, stored path, thumbnail and the messages that use it. `_id` is the fileid.
 */
export interface FileDoc {
  _id: ObjectId;
  /** Lower-case hex md5 of the bytes: the client's integrity check and lookup key; not unique (collisions exist). */
  md5: string;
  /**
   * Lower-case hex sha256 of the bytes; unique: what identifies the content. Missing only on records
   * stored before contents were keyed by sha256 (their `filepath` is md5-derived); it is filled in
   * the first time the same md5 is uploaded again.
   */
  sha256?: string;
  size: number;
  /** Detected MIME type (`application/octet-stream` when the bytes are not recognised). */
  filetype: string;
  kind: FileKind;
  /** The first uploader's file name, sanitized, for display only (never a file-system path). */
  filename: string;
  /** Stored content, relative to the data directory. */
  filepath: string;
  /** Images: 256 px WebP thumbnail, relative to the data directory. */
  thumbpath?: string;
  /** Set once the file was chosen as an avatar: the 200x200 WebP cut, relative to the data directory. */
  avatarpath?: string;
  /** Images: upright size (EXIF orientation applied). */
  width?: number;
  height?: number;
  /** The first uploader. */
  uploader: string;
  /** Everyone who uploaded these bytes (each may see and post the file). */
  uploaders: string[];
  /** Messages that carry this file (the message's fileinfo.fileid points back here). */
  msgids: string[];
  /** Conversations the file was posted in: their members may fetch it. */
  sessionids: string[];
  dateline: number;
}

export interface MessageDoc {
  _id: ObjectId;
  sessionid: string;
  seq: number;
  senduid: string;
  nickname: string;
  msgtype: MsgType;
  content: string;
  size: number;
  /** The sender's idempotency key; unique per (sessionid, senduid). */
  uuid: string;
  fileinfo?: FileInfoDoc;
  /** Live stream announcements (msgtype 7). */
  liveinfo?: LiveInfoDoc;
  /** Call announcements (msgtype 5/6). */
  callinfo?: CallInfoDoc;
  dateline: number;
  /** The message this one answers (S24), copied at send time. */
  replyTo?: ReplyToDoc;
  // ---- current state after its changes (S24); absent until the first change ----
  /** Seq of the latest change (the message's own seq when never changed). */
  version?: number;
  /** The text as sent, kept once an edit replaced `content` (changes are re-applied from it). */
  original?: string;
  editedAt?: number;
  deleted?: boolean;
  reactions?: ReactionDoc[];
  pinned?: boolean;
  preview?: MessagePreviewDoc;
  /** Search terms of the message's text (storage/searchTerms.ts); missing on messages not yet backfilled. */
  terms?: string[];
  /** Uids of members the message mentions, or `["all"]` (issue 13); absent when none. */
  mentions?: string[];
}

export interface ReplyToDoc {
  msgid: string;
  senduid: string;
  nickname: string;
  excerpt: string;
}

/** One emoji on a message and who put it there, in the order they did. */
export interface ReactionDoc {
  emoji: string;
  uids: string[];
}

/** A link preview the server attached to a message. */
export interface MessagePreviewDoc {
  url: string;
  title: string;
  description?: string;
  /** The preview image, stored as a file (its URL is signed in views). */
  imageFileId?: string;
}

export type MemberAction = 'join' | 'leave' | 'invite' | 'kick' | 'ban' | 'role';

/** What one change event does (S24). */
export type ChangeDoc =
  | { kind: 'edit'; msgid: string; msg?: string }
  | { kind: 'delete'; msgid: string }
  | { kind: 'reaction'; msgid: string; emoji: string; on: boolean }
  | { kind: 'pin'; msgid: string; pinned: boolean }
  | { kind: 'preview'; msgid: string; preview: MessagePreviewDoc }
  | { kind: 'member'; uid: string; action: MemberAction };

/**
 * A change event of a conversation (S24). It is stored in the `messages` collection, next to the
 * messages, so the one unique (sessionid, seq) index keeps a single gapless seq for both; `change`
 * tells it apart from a message. `senduid` is who made the change, `uuid` a unique filler for the
 * (sessionid, senduid, uuid) index.
 */
export interface MessageChangeDoc {
  _id: ObjectId;
  sessionid: string;
  seq: number;
  senduid: string;
  uuid: string;
  change: ChangeDoc;
  dateline: number;
}

/** Anything that takes a seq in a conversation. */
export type ConversationLogDoc = MessageDoc | MessageChangeDoc;

export interface CallInfoDoc {
  callid: string;
  event: 'started' | 'ended' | 'missed' | 'declined' | 'recording';
  video: boolean;
  durationMs?: number;
}

export interface LiveInfoDoc {
  streamid: string;
  title: string;
  event: 'started' | 'ended';
}

/** One record per connected socket; expires unless the keepalive refreshes it (S17). */
export interface OnlineDoc {
  _id: string;
  uid: string;
  node: string;
  time: Date;
}

/** Per-user delivery cursor per session: the offline inbox of S13 is "everything after it". */
export interface CursorDoc {
  _id: string;
  uid: string;
  sessionid: string;
  seq: number;
}

/** A live stream (S12, S19): listed while live, kept as a replay record until `replayUntil`. */
export interface LiveStreamDoc {
  _id: string;
  sessionid?: string;
  visibility: 'public' | 'members';
  title: string;
  publisher: { uid: string; nickname: string };
  /** The process that runs the stream's media. */
  node: string;
  state: 'starting' | 'live' | 'ended';
  startedAt: number;
  liveAt?: number;
  endedAt?: number;
  endReason?: string;
  replayUntil?: number;
  renditions: { name: string; height: number; bandwidth: number }[];
  viewers: number;
  /** The stream's pipeline writes a poster (S27: every stream since posters come from its segments). */
  poster?: boolean;
  /** Real-time (WebRTC) viewing has room (S27); maintained by the process that runs the stream. */
  webrtc?: boolean;
  /** Refreshed by the owner while the stream runs: a stream whose owner died goes stale. */
  heartbeatAt: number;
}

/** One of a user's places of a kind (live streams, calls started): storage/UserSlots.ts. */
export interface UserSlotDoc {
  /** `<uid>:<kind>:<n>`: one of the user's `limit` places of that kind, unique across every node. */
  _id: string;
  uid: string;
  kind: string;
  /** What holds the place (a stream id, a call id). */
  holder: string;
  /** Refreshed by the holder's process; a place not refreshed for `staleMs` is free again. */
  heartbeatAt: number;
}

/** A one-time data migration that has run; `_id` names it. */
export interface MigrationDoc {
  _id: string;
  doneAt: number;
  /** Documents it changed. */
  changed: number;
}

/**
 * A link preview fetched by the server, cached by the link's normalized URL (`_id`): a found
 * preview, or the reason none could be made (remembered for a shorter time).
 */
export interface LinkPreviewDoc {
  _id: string;
  ok: boolean;
  title?: string;
  description?: string;
  siteName?: string;
  /** The page's image, re-encoded and stored as a file (a `files` record). */
  imageFileId?: string;
  /** Why there is no preview (failures only). */
  reason?: string;
  fetchedAt: number;
  /** The entry is stale from then on; a TTL index removes it later. */
  expiresAt: Date;
}

/**
 * One user's state in one conversation (issue 13): how far they have read, and whether they muted
 * it. `_id` is `<uid>:<sessionid>`; a missing record reads as nothing read and not muted.
 */
export interface ReadStateDoc {
  _id: string;
  uid: string;
  sessionid: string;
  /** Highest seq the user has seen; only moves forward. */
  readSeq: number;
  muted?: boolean;
  /** When the mute ends (ms); absent with `muted`: until turned off. */
  mutedUntil?: number;
}

/** A browser's Web Push subscription (issue 13), per user and device; the endpoint is unique. */
export interface PushSubscriptionDoc {
  _id: ObjectId;
  uid: string;
  endpoint: string;
  keys: { p256dh: string; auth: string };
  createdAt: number;
}
