/** Document shapes of the MongoDB collections (S8). Field names follow the CookIM notes where they exist. */
import type { ObjectId } from 'mongodb';

/** S8 codes, as stored (the wire module mirrors them with names). */
export type Gender = 0 | 1 | 2;
export type SessionType = 0 | 1;
export type VisableType = 0 | 1;
export type JoinType = 0 | 1;
export type MsgType = 0 | 1 | 2 | 3 | 4 | 5 | 6;
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
}

export interface FileInfoDoc {
  fileid: string;
  filepath?: string;
  filename: string;
  filetype: string;
  filemd5: string;
  size: number;
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
  dateline: number;
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
