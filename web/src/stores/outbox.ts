/**
 * The outbox: every message the user sends goes through here. Queued per conversation, kept in
 * IndexedDB until the server acknowledges it (file messages with their bytes), and sent one at a
 * time in the order written, always with its own uuid: the server stores a uuid once, so sending
 * again after an acknowledgement lost in transit is safe. No connection, a timeout or an error the
 * server calls retryable leave a message queued ("sending") and it goes out by itself when it can;
 * only a refusal marks it failed, for the user to retry or discard.
 */
import { markRaw, reactive, toRaw } from 'vue';
import { MsgType, type MessageSendPayload, type MessageSendResult } from '@protocol';
import { errorText } from '@/i18n/errorText';
import { isAbortError } from '@/lib/api';
import { kindOfMime } from '@/lib/files';
import { clipName, itemOf, recordOf, sendExtras, type OutgoingAttachment, type OutgoingMessage, type SendExtras } from '@/lib/outgoing';
import { outboxStore } from '@/lib/outboxStore';
import { isRetryable, RequestError } from '@/lib/requestError';
import { socketRequest } from '@/lib/socketRequest';
import { newUuid } from '@/lib/uuid';
import { connection } from './connection';
import { sessionTokens } from './sessionTokens';
import { uploads } from './uploads';

export type { OutgoingAttachment, OutgoingMessage } from '@/lib/outgoing';

const SEND_TIMEOUT_MS = 15_000;
const RETRY_FIRST_MS = 1_000;
const RETRY_MAX_MS = 30_000;

const queues = reactive<Record<string, OutgoingMessage[]>>({});
const deliveredListeners = new Set<(item: OutgoingMessage, result: MessageSendResult) => void>();
let owner = '';
let lastOrder = 0;
/** Bumped when the user signs out: loops and loads of the previous user stop. */
let generation = 0;
/** Conversations whose queue is being sent right now (one loop each keeps the order). */
const pumping = new Set<string>();
const retryTimers = new Map<string, ReturnType<typeof setTimeout>>();
/** Consecutive retryable failures per conversation, for the backoff. */
const failures = new Map<string, number>();

const noop = () => undefined;

function queued(item: OutgoingMessage): boolean {
  return queues[item.sessionid]?.some((i) => i.uuid === item.uuid) ?? false;
}

function nextOrder(): number {
  lastOrder = Math.max(Date.now(), lastOrder + 1);
  return lastOrder;
}

// ---------- persistence ----------

/** Writes the message's record (with the file's bytes only the first time, `withBytes`). */
function persist(item: OutgoingMessage, withBytes = false): void {
  // never write back a message that left the queue meanwhile (it would come back after a reload)
  if (!owner || !queued(item)) return;
  const blob = withBytes && item.attachment ? toRaw(item.attachment.blob) : undefined;
  void outboxStore.put(recordOf(item, owner), blob);
}

/** Takes a message out of the queue and off the disk. */
function remove(item: Pick<OutgoingMessage, 'uuid' | 'sessionid'>, revokeAfterMs: number): OutgoingMessage | undefined {
  uploads.cancel(item.uuid);
  void outboxStore.remove(item.uuid);
  const queue = queues[item.sessionid];
  const index = queue?.findIndex((i) => i.uuid === item.uuid) ?? -1;
  if (!queue || index < 0) return undefined;
  const [removed] = queue.splice(index, 1);
  if (!queue.length) delete queues[item.sessionid];
  const url = removed?.attachment?.previewUrl;
  // after delivery the stored message's own URL takes over: let an image finish painting first
  if (url) setTimeout(() => URL.revokeObjectURL(url), revokeAfterMs);
  return removed;
}

/** The message's file on the server (hashed and found or uploaded), each step saved as it is reached. */
function prepared(item: OutgoingMessage): Promise<void> {
  return uploads.ready(item, () => persist(item));
}

// ---------- sending ----------

function payloadOf(item: OutgoingMessage, sessionToken: string): MessageSendPayload {
  const file = item.attachment;
  if (!file) return { sessionToken, msgtype: MsgType.Text, msg: item.msg, uuid: item.uuid, ...sendExtras(item) };
  return { sessionToken, msgtype: item.msgtype, msg: item.msg, uuid: item.uuid, filemd5: file.md5!, filename: file.name };
}

async function sendOnce(item: OutgoingMessage): Promise<MessageSendResult> {
  const token = await sessionTokens.get(item.sessionid);
  try {
    return await socketRequest(connection.socket, 'message:send', payloadOf(item, token), SEND_TIMEOUT_MS);
  } catch (error) {
    // a session token that expired between caching and use (or older than a reconnect): once more with a fresh one
    if (!(error instanceof RequestError) || !error.code.startsWith('token_')) throw error;
    const fresh = await sessionTokens.get(item.sessionid, true);
    return await socketRequest(connection.socket, 'message:send', payloadOf(item, fresh), SEND_TIMEOUT_MS);
  }
}

type Outcome = 'sent' | 'refused' | 'retry' | 'gone';

async function attempt(item: OutgoingMessage): Promise<Outcome> {
  const file = item.attachment;
  try {
    await prepared(item);
    const result = await sendOnce(item);
    remove(item, 30_000);
    for (const listener of deliveredListeners) listener(item, result);
    return 'sent';
  } catch (error) {
    if (isAbortError(error)) {
      discard(item);
      return 'gone';
    }
    // discarded meanwhile, or its pushed copy arrived and settled it
    if (!queued(item)) return 'gone';
    // a refusal is final until the user retries; no answer, no network or a busy server is not
    if (isRetryable(error)) return 'retry';
    // a failed md5 check means the bytes changed under us: hash them again on retry
    if (file && error instanceof RequestError && error.code === 'md5_mismatch') file.md5 = undefined;
    item.status = 'failed';
    item.error = errorText(error);
    persist(item);
    return 'refused';
  }
}

function scheduleRetry(sessionid: string): void {
  clearTimeout(retryTimers.get(sessionid));
  // offline: the reconnect flushes the queue, no timer needed
  if (!connection.socket?.connected) return;
  const count = (failures.get(sessionid) ?? 0) + 1;
  failures.set(sessionid, count);
  const delay = Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** (count - 1)) * (0.75 + Math.random() * 0.5);
  retryTimers.set(
    sessionid,
    setTimeout(() => {
      retryTimers.delete(sessionid);
      void pump(sessionid);
    }, delay),
  );
}

/**
 * Sends one conversation's queue, oldest first, one message at a time: a later message never
 * overtakes an earlier unsent one. A failed (refused) message does not hold the others back.
 */
async function pump(sessionid: string): Promise<void> {
  const key = `${generation}:${sessionid}`;
  if (pumping.has(key)) return;
  pumping.add(key);
  const mine = generation;
  clearTimeout(retryTimers.get(sessionid));
  retryTimers.delete(sessionid);
  try {
    for (;;) {
      if (mine !== generation || !connection.socket?.connected) return;
      const queue = queues[sessionid] ?? [];
      const head = queue.find((i) => i.status === 'sending');
      if (!head) return;
      // later files upload meanwhile (a few at a time); their messages still wait their turn
      for (const item of queue) if (item !== head && item.status === 'sending' && item.attachment) prepared(item).catch(noop);
      const outcome = await attempt(head);
      if (outcome === 'retry') {
        if (mine === generation) scheduleRetry(sessionid);
        return;
      }
      failures.delete(sessionid);
    }
  } finally {
    pumping.delete(key);
  }
}

function enqueue(item: OutgoingMessage): void {
  (queues[item.sessionid] ??= []).push(item);
  // the array holds a reactive proxy: mutate that one so the view updates
  const tracked = queues[item.sessionid]!.at(-1)!;
  persist(tracked, true);
  // hashing needs no network: start at once, so the file is ready when the connection is
  if (tracked.attachment) prepared(tracked).catch(noop);
  void pump(tracked.sessionid);
}

// ---------- public API ----------

function send(sessionid: string, text: string, extras: SendExtras = {}): void {
  const msg = text.trim();
  if (!msg) return;
  enqueue({ uuid: newUuid(), sessionid, msg, time: Date.now(), order: nextOrder(), status: 'sending', msgtype: MsgType.Text, ...sendExtras(extras) });
}

interface FileToSend {
  blob: Blob;
  name: string;
  /** Force a message type (voice recordings). */
  msgtype?: MsgType;
  durationMs?: number;
  /** Text typed in the composer before the files were picked. */
  caption?: string;
}

function queueFile(sessionid: string, file: FileToSend): void {
  const mime = file.blob.type;
  const kind = file.msgtype === MsgType.Voice ? 'audio' : kindOfMime(mime);
  const attachment: OutgoingAttachment = {
    blob: markRaw(file.blob),
    name: file.name,
    size: file.blob.size,
    mime,
    kind,
    previewUrl: kind === 'file' ? undefined : URL.createObjectURL(file.blob),
    phase: 'hashing',
    progress: 0,
    ...(file.durationMs !== undefined ? { durationMs: file.durationMs } : {}),
  };
  enqueue({
    uuid: newUuid(),
    sessionid,
    // the caption: what was typed, else the file's name, so text-only clients still say what was sent
    msg: file.caption || file.name,
    time: Date.now(),
    order: nextOrder(),
    status: 'sending',
    msgtype: file.msgtype ?? (kind === 'image' ? MsgType.Image : kind === 'audio' ? MsgType.Voice : kind === 'video' ? MsgType.Video : MsgType.File),
    ...(file.msgtype !== undefined ? { msgtypeFixed: true } : {}),
    attachment,
  });
}

/** Sends picked, dropped or pasted files, each as its own message; the first carries the caption. */
function sendFiles(sessionid: string, files: Iterable<File>, caption = ''): void {
  for (const file of files) {
    if (file.size === 0) continue;
    queueFile(sessionid, { blob: file, name: clipName(file.name) || 'file', caption });
    caption = '';
  }
}

/** Sends a voice recording (msgtype 2 whatever container the browser recorded into). */
function sendVoice(sessionid: string, blob: Blob, durationMs: number): void {
  const ext = /mp4|m4a|aac/.test(blob.type) ? 'm4a' : /ogg/.test(blob.type) ? 'ogg' : 'webm';
  const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
  queueFile(sessionid, { blob, name: `voice-${stamp}.${ext}`, msgtype: MsgType.Voice, durationMs });
}

/** A refused message, sent again (same uuid) behind what is queued already. */
function retry(item: OutgoingMessage): void {
  if (item.status !== 'failed') return;
  item.status = 'sending';
  item.error = undefined;
  persist(item);
  void pump(item.sessionid);
}

function discard(item: OutgoingMessage): void {
  remove(item, 0);
}

/** Stops an outgoing file's hashing or upload and drops it (not once the message itself is on its way). */
function cancel(item: OutgoingMessage): void {
  if (item.status === 'sending' && (!item.attachment || item.attachment.phase === 'sending')) return;
  discard(item);
}

/** Sends every queue now: on (re)connect, and after loading the queue from disk. */
function flush(): void {
  for (const sessionid of Object.keys(queues)) {
    failures.delete(sessionid);
    void pump(sessionid);
  }
}

export const outbox = {
  queues: queues as Readonly<Record<string, readonly OutgoingMessage[]>>,

  /** The server stored one of our messages (its acknowledgement): show it as sent. */
  onDelivered(listener: (item: OutgoingMessage, result: MessageSendResult) => void): () => void {
    deliveredListeners.add(listener);
    return () => deliveredListeners.delete(listener);
  },

  /** The signed-in user's queue from disk (then sent, once connected). */
  async load(uid: string): Promise<void> {
    owner = uid;
    const mine = generation;
    const entries = await outboxStore.load(uid);
    if (mine !== generation) return;
    for (const entry of entries) {
      const { record } = entry;
      const queue = (queues[record.sessionid] ??= []);
      if (queue.some((i) => i.uuid === record.uuid)) continue;
      queue.push(itemOf(entry));
      lastOrder = Math.max(lastOrder, record.order);
    }
    for (const queue of Object.values(queues)) queue.sort((a, b) => a.order - b.order);
    flush();
  },

  /** Drops the in-memory queues (sign-out); what is on disk waits for that user's next sign-in. */
  unload(): void {
    generation++;
    uploads.cancelAll();
    for (const timer of retryTimers.values()) clearTimeout(timer);
    retryTimers.clear();
    failures.clear();
    for (const queue of Object.values(queues)) {
      for (const item of queue) if (item.attachment?.previewUrl) URL.revokeObjectURL(item.attachment.previewUrl);
    }
    for (const sessionid of Object.keys(queues)) delete queues[sessionid];
    owner = '';
  },

  /** The server's copy of one of our messages arrived (pushed or synced): it is no longer queued. */
  settled(sessionid: string, uuid: string | undefined): void {
    if (uuid && queues[sessionid]?.some((i) => i.uuid === uuid)) remove({ sessionid, uuid }, 30_000);
  },

  /** A conversation we left or lost: its queue can never be sent. */
  forget(sessionid: string): void {
    for (const item of [...(queues[sessionid] ?? [])]) discard(item);
  },

  flush,
  send,
  sendFiles,
  sendVoice,
  retry,
  discard,
  cancel,
};
