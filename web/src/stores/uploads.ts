/**
 * Getting an outgoing file onto the server before its message is sent: md5 in a worker, then
 * either the server has those bytes already (no upload) or an upload with progress. Each step's
 * result is kept on the item (and saved by the caller), so a retry or a reload resumes.
 */
import { MsgType } from '@protocol';
import { findFileByMd5, hashSlots, msgTypeForFile, uploadBlob, uploadSlots } from '@/lib/files';
import { md5OfBlob } from '@/lib/md5';
import type { OutgoingAttachment, OutgoingMessage } from '@/lib/outgoing';

/** Hashing and upload of a file, once started (shared by whoever waits for it). */
const running = new Map<string, Promise<void>>();
const aborts = new Map<string, AbortController>();

const noop = () => undefined;

async function prepare(item: OutgoingMessage, file: OutgoingAttachment, signal: AbortSignal, save: () => void): Promise<void> {
  if (!file.md5) {
    file.phase = 'hashing';
    file.progress = 0;
    file.md5 = await hashSlots.run(() => md5OfBlob(file.blob, (fraction) => (file.progress = fraction), signal));
    save();
  }
  if (!file.info) {
    file.phase = 'checking';
    const known = await findFileByMd5(file.md5);
    if (signal.aborted) throw new DOMException('The upload was cancelled.', 'AbortError');
    if (known) {
      file.info = known;
      file.skipped = true;
    } else {
      file.phase = 'uploading';
      file.progress = 0;
      file.info = await uploadSlots.run(() =>
        uploadBlob(file.blob, file.name, file.md5!, {
          // a voice recording must be audio; anything else is taken as it is and typed from its content
          intent: item.msgtypeFixed ? item.msgtype : MsgType.File,
          signal,
          onProgress: (fraction) => (file.progress = fraction),
        }),
      );
    }
  }
  if (!item.msgtypeFixed) item.msgtype = msgTypeForFile(file.info);
  file.kind = file.info.kind ?? file.kind;
  file.phase = 'sending';
  save();
}

export const uploads = {
  /** The file of a message is on the server (at once for a text or a file already there); `save` after each step. */
  ready(item: OutgoingMessage, save: () => void): Promise<void> {
    const file = item.attachment;
    if (!file || (file.phase === 'sending' && file.info)) return Promise.resolve();
    let current = running.get(item.uuid);
    if (!current) {
      const abort = new AbortController();
      aborts.set(item.uuid, abort);
      current = prepare(item, file, abort.signal, save).finally(() => {
        if (running.get(item.uuid) === current) running.delete(item.uuid);
        if (aborts.get(item.uuid) === abort) aborts.delete(item.uuid);
      });
      running.set(item.uuid, current);
      // whoever sends the message handles the error; a preparation started early must not go unhandled
      current.catch(noop);
    }
    return current;
  },

  /** Stops a message's hashing or upload (it was discarded). */
  cancel(uuid: string): void {
    aborts.get(uuid)?.abort();
    aborts.delete(uuid);
    running.delete(uuid);
  },

  cancelAll(): void {
    for (const abort of aborts.values()) abort.abort();
    aborts.clear();
    running.clear();
  },
};
