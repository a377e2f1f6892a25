/** A message on its way out, as the outbox holds it in memory, and its record on disk (outboxStore). */
import { markRaw } from 'vue';
import type { FileInfo, FileKind, MsgType } from '@protocol';
import type { LocalText } from '@/i18n/localText';
import type { StoredEntry, StoredOutgoing } from './outboxStore';

/** A file on its way: hashed in a worker, found on the server or uploaded, then announced (S7, S9). */
export interface OutgoingAttachment {
  /** The bytes (kept raw: never made reactive). */
  blob: Blob;
  name: string;
  size: number;
  /** The browser's idea of the type (the server detects its own). */
  mime: string;
  /** Local guess until the server answers. */
  kind: FileKind;
  /** Object URL for an instant preview of images, voice and video. */
  previewUrl?: string;
  phase: 'hashing' | 'checking' | 'uploading' | 'sending';
  /** 0..1 within the phase (hashing, uploading). */
  progress: number;
  md5?: string;
  /** The stored file, once found or uploaded. */
  info?: FileInfo;
  /** The server had these bytes already: nothing was uploaded. */
  skipped?: boolean;
  /** Voice recordings: how long, for the bubble until the stored message arrives. */
  durationMs?: number;
}

export interface OutgoingMessage {
  uuid: string;
  sessionid: string;
  msg: string;
  time: number;
  /** Queue position: increasing in the order the user sent. */
  order: number;
  /** `sending` while queued or on its way; `failed` only once the server refused it. */
  status: 'sending' | 'failed';
  /** Why the server refused it: a catalogue key, or its own words (web/src/i18n/localText.ts). */
  error?: LocalText;
  msgtype: MsgType;
  /** Fixed by the sender (a voice recording is a voice message whatever its container). */
  msgtypeFixed?: boolean;
  attachment?: OutgoingAttachment;
  /** Members mentioned (issue 13), sent as `mentions`. */
  mentions?: string[];
  /** The message this one answers (S24). */
  replyTo?: string;
}

/** What a text send may carry beside its text: mentions (S25) and the message it answers (S24). */
export interface SendExtras {
  mentions?: string[];
  replyTo?: string;
}

/** The payload fields for `extras`, absent when empty. */
export function sendExtras({ mentions, replyTo }: SendExtras): SendExtras {
  return { ...(mentions?.length ? { mentions: [...mentions] } : {}), ...(replyTo ? { replyTo } : {}) };
}

/** The record to store for a message of `owner` (the file's bytes go apart). */
export function recordOf(item: OutgoingMessage, owner: string): StoredOutgoing {
  const file = item.attachment;
  return {
    uuid: item.uuid,
    owner,
    sessionid: item.sessionid,
    msg: item.msg,
    time: item.time,
    order: item.order,
    msgtype: item.msgtype,
    ...(item.msgtypeFixed ? { msgtypeFixed: true } : {}),
    status: item.status,
    ...sendExtras(item),
    // a plain copy: IndexedDB cannot clone reactive proxies
    ...(item.error ? { error: JSON.parse(JSON.stringify(item.error)) as LocalText } : {}),
    ...(file
      ? {
          attachment: {
            name: file.name,
            size: file.size,
            mime: file.mime,
            kind: file.kind,
            ...(file.durationMs !== undefined ? { durationMs: file.durationMs } : {}),
            ...(file.md5 ? { md5: file.md5 } : {}),
            // a plain copy: IndexedDB cannot clone reactive proxies
            ...(file.info ? { info: JSON.parse(JSON.stringify(file.info)) as FileInfo } : {}),
          },
        }
      : {}),
  };
}

/** A stored message back in memory, resuming from the step its file had reached. */
export function itemOf({ record, blob }: StoredEntry): OutgoingMessage {
  const stored = record.attachment;
  // bytes that could not be kept: a file already on the server is still announced, else it is lost
  const lost = !!stored && !blob && !stored.info;
  const bytes = blob ?? new Blob([], { type: stored?.mime ?? '' });
  const attachment: OutgoingAttachment | undefined = stored && {
    blob: markRaw(bytes),
    name: stored.name,
    size: stored.size,
    mime: stored.mime,
    kind: stored.kind,
    previewUrl: stored.kind === 'file' || !blob ? undefined : URL.createObjectURL(blob),
    phase: stored.info ? 'sending' : stored.md5 ? 'checking' : 'hashing',
    progress: 0,
    ...(stored.md5 ? { md5: stored.md5 } : {}),
    ...(stored.info ? { info: stored.info } : {}),
    ...(stored.durationMs !== undefined ? { durationMs: stored.durationMs } : {}),
  };
  return {
    uuid: record.uuid,
    sessionid: record.sessionid,
    msg: record.msg,
    time: record.time,
    order: record.order,
    status: lost ? 'failed' : record.status,
    ...(lost ? { error: 'outbox.fileLost' } : record.error ? { error: record.error } : {}),
    msgtype: record.msgtype as MsgType,
    ...(record.msgtypeFixed ? { msgtypeFixed: true } : {}),
    ...(attachment ? { attachment } : {}),
    ...sendExtras(record),
  };
}

/** At most 255 characters, the extension kept (the server trims names further if it must). */
export function clipName(name: string): string {
  const chars = [...name.replace(/[\u0000-\u001f\u007f]/g, '_')];
  if (chars.length <= 255) return chars.join('');
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 && name.length - dot <= 16 ? name.slice(dot) : '';
  return chars.slice(0, 255 - [...ext].length).join('') + ext;
}
