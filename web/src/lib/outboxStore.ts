/**
 * The outbox on disk (IndexedDB): messages not yet acknowledged by the server, with the picked
 * file's bytes for file messages, so a reload or a closed tab loses nothing. One record per
 * message, keyed by its uuid, listed per signed-in user. Storage that fails (private mode, quota)
 * never breaks sending: the queue then lives in memory only.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { FileInfo, FileKind } from '@protocol';

export interface StoredAttachment {
  blob: Blob;
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
  error?: string;
  attachment?: StoredAttachment;
}

interface OutboxSchema extends DBSchema {
  messages: { key: string; value: StoredOutgoing; indexes: { owner: string } };
}

const DB_NAME = 'cookim-outbox';
let opening: Promise<IDBPDatabase<OutboxSchema>> | null = null;

function database(): Promise<IDBPDatabase<OutboxSchema>> {
  opening ??= openDB<OutboxSchema>(DB_NAME, 1, {
    upgrade(db) {
      db.createObjectStore('messages', { keyPath: 'uuid' }).createIndex('owner', 'owner');
    },
    // another tab upgrading: let it, and open again next time
    blocking() {
      void opening?.then((db) => db.close());
      opening = null;
    },
  }).catch((error: unknown) => {
    opening = null;
    throw error;
  });
  return opening;
}

export const outboxStore = {
  /** The user's queued messages, oldest first; [] when storage is unavailable. */
  async load(owner: string): Promise<StoredOutgoing[]> {
    try {
      const records = await (await database()).getAllFromIndex('messages', 'owner', owner);
      return records.sort((a, b) => a.order - b.order);
    } catch {
      return [];
    }
  },

  async put(record: StoredOutgoing): Promise<void> {
    try {
      await (await database()).put('messages', record);
    } catch {
      /* kept in memory only: still sent while this page lives */
    }
  },

  async remove(uuid: string): Promise<void> {
    try {
      await (await database()).delete('messages', uuid);
    } catch {
      /* nothing stored, nothing to remove */
    }
  },
};
