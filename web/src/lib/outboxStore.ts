/**
 * The outbox on disk (IndexedDB): messages not yet acknowledged by the server, with the picked
 * file's bytes for file messages, so a reload or a closed tab loses nothing. One record per
 * message, keyed by its uuid, listed per signed-in user; the bytes in a store of their own, written
 * once (records are rewritten as the upload goes on). Storage that fails (private mode, quota)
 * never breaks sending: the queue then lives in memory only.
 */
import type { DBSchema } from 'idb';
import { lazyDatabase } from './indexedDb';
import type { FileInfo, FileKind } from '@protocol';
import type { LocalText } from '@/i18n/localText';

/** A file message's file, its bytes apart (see StoredEntry). */
export interface StoredAttachment {
  name: string;
  size: number;
  mime: string;
  kind: FileKind;
  durationMs?: number;
  /** Kept once known, so a reload neither hashes nor uploads again. */
  md5?: string;
  info?: FileInfo;
}

export interface StoredOutgoing {
  uuid: string;
  /** The uid of the user who wrote it (several people may sign in on one browser). */
  owner: string;
  sessionid: string;
  msg: string;
  time: number;
  /** Queue position: increasing in the order the user sent. */
  order: number;
  msgtype: number;
  msgtypeFixed?: boolean;
  status: 'sending' | 'failed';
  error?: LocalText;
  attachment?: StoredAttachment;
  /** Members mentioned (issue 13). */
  mentions?: string[];
  /** The message this one answers (S24). */
  replyTo?: string;
}

export interface StoredEntry {
  record: StoredOutgoing;
  /** The file's bytes; missing when they could not be stored. */
  blob?: Blob;
}

interface OutboxSchema extends DBSchema {
  messages: { key: string; value: StoredOutgoing; indexes: { owner: string } };
  blobs: { key: string; value: Blob };
}

const DB_NAME = 'cookim-outbox';
const database = lazyDatabase<OutboxSchema>(DB_NAME, 1, (db) => {
  db.createObjectStore('messages', { keyPath: 'uuid' }).createIndex('owner', 'owner');
  db.createObjectStore('blobs');
});

export const outboxStore = {
  /** The user's queued messages, oldest first; [] when storage is unavailable. */
  async load(owner: string): Promise<StoredEntry[]> {
    try {
      const tx = (await database()).transaction(['messages', 'blobs']);
      const records = await tx.objectStore('messages').index('owner').getAll(owner);
      const blobs = tx.objectStore('blobs');
      const entries = await Promise.all(
        records.map(async (record) => ({ record, blob: record.attachment ? await blobs.get(record.uuid) : undefined })),
      );
      return entries.sort((a, b) => a.record.order - b.record.order);
    } catch {
      return [];
    }
  },

  /** Writes a message's record, and its file's bytes when given (once, when it is queued). */
  async put(record: StoredOutgoing, blob?: Blob): Promise<void> {
    try {
      const tx = (await database()).transaction(['messages', 'blobs'], 'readwrite');
      await Promise.all([
        tx.objectStore('messages').put(record),
        blob ? tx.objectStore('blobs').put(blob, record.uuid) : undefined,
        tx.done,
      ]);
    } catch {
      /* kept in memory only: still sent while this page lives */
    }
  },

  async remove(uuid: string): Promise<void> {
    try {
      const tx = (await database()).transaction(['messages', 'blobs'], 'readwrite');
      await Promise.all([tx.objectStore('messages').delete(uuid), tx.objectStore('blobs').delete(uuid), tx.done]);
    } catch {
      /* nothing stored, nothing to remove */
    }
  },
};
