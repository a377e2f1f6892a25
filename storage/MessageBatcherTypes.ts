import type { CallInfoDoc, ChangeDoc, FileInfoDoc, LiveInfoDoc, MessageChangeDoc, MessageDoc, MsgType, ReplyToDoc } from './documents';

/** A message as submitted, before it has an id and a seq. */
export interface MessageDraft {
  sessionid: string;
  senduid: string;
  nickname: string;
  msgtype: MsgType;
  content: string;
  uuid: string;
  fileinfo?: FileInfoDoc;
  liveinfo?: LiveInfoDoc;
  callinfo?: CallInfoDoc;
  replyTo?: ReplyToDoc;
  /** Mentioned members (issue 13), checked by the caller. */
  mentions?: string[];
}

/** A change event as submitted (S24): it takes the conversation's next seq like a message. */
export interface ChangeDraft {
  sessionid: string;
  /** Who made the change. */
  senduid: string;
  change: ChangeDoc;
}

export interface StoredChange {
  change: MessageChangeDoc;
}

export interface StoredMessage {
  message: MessageDoc;
  /** The uuid had been stored before: `message` is that earlier message. */
  duplicate: boolean;
}

export interface MessageBatcherOptions {
  /** How long the first message of a batch waits for others (ms). */
  windowMs?: number;
  /** Most messages in one insertMany. */
  maxBatch?: number;
  /** Attempts per message when seq conflicts with another process. */
  maxAttempts?: number;
  /** Observability hook: called once per insertMany. */
  onBatch?: (size: number, seconds: number) => void;
}
