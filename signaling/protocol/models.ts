/** Wire shapes of users, sessions and messages, as every client receives them (PROTOCOL.md). */

export const Gender = { Unknown: 0, Male: 1, Female: 2 } as const;
export type Gender = (typeof Gender)[keyof typeof Gender];

export const SessionType = { Private: 0, Group: 1 } as const;
export type SessionType = (typeof SessionType)[keyof typeof SessionType];

export const VisableType = { Hidden: 0, Public: 1 } as const;
export type VisableType = (typeof VisableType)[keyof typeof VisableType];

export const JoinType = { Anyone: 0, InvitationOnly: 1 } as const;
export type JoinType = (typeof JoinType)[keyof typeof JoinType];

/** S8 msgtype. */
export const MsgType = {
  Text: 0,
  Image: 1,
  Voice: 2,
  Video: 3,
  File: 4,
  VoiceCall: 5,
  VideoCall: 6,
  /** A live stream's announcement (started / ended), with `liveinfo` linking to its viewer page. */
  Live: 7,
} as const;
export type MsgType = (typeof MsgType)[keyof typeof MsgType];

export const PresenceStatus = ['online', 'away', 'busy', 'invisible'] as const;
export type PresenceStatus = (typeof PresenceStatus)[number];
/** What other users see: an invisible user is reported offline. */
export type VisiblePresence = Exclude<PresenceStatus, 'invisible'> | 'offline';

export interface UserView {
  uid: string;
  login?: string;
  nickname: string;
  gender: Gender;
  avatar?: string;
  lastlogin: number;
  logincount: number;
  dateline: number;
  /** One's own profile only (issue 13): false when read receipts are off. */
  readReceipts?: boolean;
}

export interface SessionView {
  sessionid: string;
  sessiontype: SessionType;
  visabletype: VisableType;
  jointype: JoinType;
  name: string;
  senduid: string;
  recvuid?: string;
  dateline: number;
  uids: string[];
  lastSeq: number;
  /** Time of the newest message (or of creation), for ordering conversation lists. */
  lastActivity?: number;
  /** The newest message, for conversation-list previews (listJoinedSessions only). */
  lastMessage?: MessageView;
  // ---- attention (issue 13): the caller's, in GET /api/sessions only ----
  readSeq?: number;
  unread?: number;
  unreadMentions?: number;
  muted?: boolean;
  mutedUntil?: number;
  /** Groups (S26): members with a role beyond plain membership; exactly one owner while the group has members. */
  roles?: Record<string, 'owner' | 'admin'>;
  /** Groups (S26): members muted now, and until when (ms since epoch). */
  mutes?: Record<string, number>;
  /** Groups (S26): the group's picture (a signed avatar URL, like a user's). */
  avatar?: string;
}

export interface MemberView {
  uid: string;
  nickname: string;
  gender: Gender;
  avatar?: string;
  presence: VisiblePresence;
  /** Groups (S26): `owner` or `admin`; absent for plain members. */
  role?: 'owner' | 'admin';
  /** Groups (S26): muted until then (ms since epoch). */
  mutedUntil?: number;
}

/** What stored bytes are, detected from the content: image (msgtype 1), audio (2), video (3), anything (4). */
export type FileKind = 'image' | 'audio' | 'video' | 'file';

/**
 * A stored file as clients see it (upload answers, message `fileinfo`). `url` and `thumbUrl` are
 * signed and expire (FILE_URL_TTL): usable as-is in `<img>`, `<audio>`, `<video>` and links, no
 * Authorization header needed; fetch a fresh message or file answer for new ones.
 */
export interface FileInfo {
  fileid: string;
  filename: string;
  /** Detected MIME type (never the client's claim); `application/octet-stream` when unknown. */
  filetype: string;
  filemd5: string;
  size: number;
  url: string;
  /** Images: a WebP thumbnail, 256 px on the longest side. */
  thumbUrl?: string;
  /** Images: upright pixel size (EXIF orientation applied). */
  width?: number;
  height?: number;
  kind?: FileKind;
}

export interface MessageView {
  msgid: string;
  sessionid: string;
  seq: number;
  senduid: string;
  nickname: string;
  msgtype: MsgType;
  msg: string;
  time: number;
  size: number;
  /** The sender's own id for this send (idempotency key). */
  uuid: string;
  fileinfo?: FileInfo;
  /** Live stream announcements (msgtype 7): the viewer page is `/live/<streamid>`. */
  liveinfo?: LiveInfo;
  /** Call announcements (msgtype 5 voice, 6 video): what happened, for clients to say in their language. */
  callinfo?: CallAnnouncement;
  // ---- conversation events (S24) ----
  // `version` and `reactions` are always present in what the server sends; they are optional in
  // the type only so a client can build a provisional view of its own send.
  /** Seq of the latest change; equal to `seq` when never changed. */
  version?: number;
  /** When the text was last edited (ms). */
  editedAt?: number;
  /** A tombstone: `msg` is empty and there is no `fileinfo`. */
  deleted?: boolean;
  /** The message this one answers. */
  replyTo?: ReplyTo;
  /** Always present (from the server); empty when nobody reacted. */
  reactions?: Reaction[];
  pinned?: boolean;
  /** A link preview the server attached. */
  preview?: LinkPreview;
  mentions?: string[];
}

export interface ReplyTo {
  msgid: string;
  senduid: string;
  nickname: string;
  /** The start of the quoted message's text (or its file name). */
  excerpt: string;
}

export interface Reaction {
  emoji: string;
  count: number;
  /** Who reacted, in the order they did. */
  uids: string[];
}

export interface LinkPreview {
  url: string;
  title: string;
  description?: string;
  imageUrl?: string;
}

/** What a `message:update` reports (S24). */
export const MessageUpdateKind = ['edit', 'delete', 'reaction', 'pin', 'preview', 'member'] as const;
export type MessageUpdateKind = (typeof MessageUpdateKind)[number];

export const MemberAction = ['join', 'leave', 'invite', 'kick', 'ban', 'role'] as const;
export type MemberAction = (typeof MemberAction)[number];

/**
 * One change event of a conversation (S24), live as `message:update` and in `sync`'s `updates`.
 * Message kinds carry `msgid` and `message` (its view now, which may be newer than this event);
 * `member` carries `uid` and `action`. `uid` is also who made a message change.
 */
export interface MessageUpdate {
  sessionid: string;
  seq: number;
  kind: MessageUpdateKind;
  msgid?: string;
  uid?: string;
  action?: MemberAction;
  message?: MessageView;
  time: number;
}

/**
 * What a call announcement reports: the call was started; it ended after someone answered
 * (`durationMs` from the answer to the end); nobody answered it; or the callee of a private call
 * declined it.
 */
export const CallAnnouncementEvent = {
  Started: 'started',
  Ended: 'ended',
  Missed: 'missed',
  Declined: 'declined',
  /** Issue 15: the sender started recording the call. */
  Recording: 'recording',
} as const;
export type CallAnnouncementEvent = (typeof CallAnnouncementEvent)[keyof typeof CallAnnouncementEvent];

/** `callinfo` of a call announcement (named apart from the live call's `CallInfo`). */
export interface CallAnnouncement {
  callid: string;
  event: CallAnnouncementEvent;
  video: boolean;
  /** Ended calls: how long it lasted, in ms. */
  durationMs?: number;
}

export interface LiveInfo {
  streamid: string;
  title: string;
  /** What the announcement says happened. */
  event: 'started' | 'ended';
}
