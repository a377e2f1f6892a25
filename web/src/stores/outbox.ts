/**
 * The outbox: every message the user sends goes through here. Queued per conversation, kept in
 * IndexedDB until the server acknowledges it (file messages with their bytes), and sent one at a
 * time in the order written, always with its own uuid: the server stores a uuid once, so sending
 * again after an acknowledgement lost in transit is safe. No connection, a timeout or an error the
 * server calls retryable leave a message queued ("sending") and it goes out by itself when it can;
 * only a refusal marks it failed, for the user to retry or discard.
 */
import { markRaw, reactive, toRaw } from 'vue';
import { MsgType, type FileInfo, type FileKind, type MessageSendPayload, type MessageSendResult } from '@protocol';
import { isAbortError } from '@/lib/api';
import { findFileByMd5, hashSlots, kindOfMime, msgTypeForFile, uploadBlob, uploadSlots } from '@/lib/files';
import { md5OfBlob } from '@/lib/md5';
import { outboxStore, type StoredEntry, type StoredOutgoing } from '@/lib/outboxStore';
import { isRetryable, RequestError } from '@/lib/requestError';
import { socketRequest } from '@/lib/socketRequest';
import { newUuid } from '@/lib/uuid';
import { connection } from './connection';

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
  error?: string;
  msgtype: MsgType;
  /** Fixed by the sender (a voice recording is a voice message whatever its container). */
  msgtypeFixed?: boolean;
  attachment?: OutgoingAttachment;
}

/** What the outbox needs from the chat store (wired once, so this module does not import it). */
export interface OutboxHooks {
  /** A session token for message:send; `fresh` drops a cached one first. */
  sessionToken(sessionid: string, fresh: boolean): Promise<string>;
  /** The server stored the message: show it as sent. */
  delivered(item: OutgoingMessage, result: MessageSendResult): void;
}

const SEND_TIMEOUT_MS = 15_000;
const RETRY_FIRST_MS = 1_000;
const RETRY_MAX_MS = 30_000;

const queues = reactive<Record<string, OutgoingMessage[]>>({});
let hooks: OutboxHooks | null = null;
let owner = '';
let lastOrder = 0;
/** Bumped when the user signs out: loops and loads of the previous user stop. */
let generation = 0;
/** Conversations whose queue is being sent right now (one loop each keeps the order). */
const pumping = new Set<string>();
const retryTimers = new Map<string, ReturnType<typeof setTimeout>>();
/** Consecutive retryable failures per conversation, for the backoff. */
const failures = new Map<string, number>();
/** Hashing and upload of a file, once started (a retry resumes from what was kept). */
const preparing = new Map<string, Promise<void>>();
const uploadAborts = new Map<string, AbortController>();

const noop = () => undefined;

function queued(item: OutgoingMessage): boolean {
  return queues[item.sessionid]?.some((i) => i.uuid === item.uuid) ?? false;
}

function nextOrder(): number {
  lastOrder = Math.max(Date.now(), lastOrder + 1);
  return lastOrder;
}

// ---------- persistence ----------

function recordOf(item: OutgoingMessage): StoredOutgoing {
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
    ...(item.error ? { error: item.error } : {}),
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

function itemOf({ record, blob }: StoredEntry): OutgoingMessage {
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
    ...(lost ? { error: 'The file was not kept; pick it again.' } : record.error ? { error: record.error } : {}),
    msgtype: record.msgtype as MsgType,
    ...(record.msgtypeFixed ? { msgtypeFixed: true } : {}),
    ...(attachment ? { attachment } : {}),
  };
}

/** Writes the message's record (with the file's bytes only the first time, `withBytes`). */
function persist(item: OutgoingMessage, withBytes = false): void {
  // never write back a message that left the queue meanwhile (it would come back after a reload)
  if (!owner || !queued(item)) return;
  const blob = withBytes && item.attachment ? toRaw(item.attachment.blob) : undefined;
  void outboxStore.put(recordOf(item), blob);
}

/** Takes a message out of the queue and off the disk. */
function remove(item: Pick<OutgoingMessage, 'uuid' | 'sessionid'>, revokeAfterMs: number): OutgoingMessage | undefined {
  uploadAborts.get(item.uuid)?.abort();
  uploadAborts.delete(item.uuid);
  preparing.delete(item.uuid);
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

// ---------- files ----------

/**
 * Gets an outgoing file onto the server: md5 in a worker, then either the server has those bytes
 * already (no upload) or an upload with progress. Each step's result is kept (also on disk), so a
 * retry or a reload resumes.
 */
async function prepareAttachment(item: OutgoingMessage, file: OutgoingAttachment, signal: AbortSignal): Promise<void> {
  if (!file.md5) {
    file.phase = 'hashing';
    file.progress = 0;
    file.md5 = await hashSlots.run(() => md5OfBlob(file.blob, (fraction) => (file.progress = fraction), signal));
    persist(item);
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
  persist(item);
}

/** The file's preparation, started once and shared by whoever waits for it. */
function prepared(item: OutgoingMessage): Promise<void> {
  const file = item.attachment;
  if (!file || (file.phase === 'sending' && file.info)) return Promise.resolve();
  let running = preparing.get(item.uuid);
  if (!running) {
    const abort = new AbortController();
    uploadAborts.set(item.uuid, abort);
    running = prepareAttachment(item, file, abort.signal).finally(() => {
      if (preparing.get(item.uuid) === running) preparing.delete(item.uuid);
      if (uploadAborts.get(item.uuid) === abort) uploadAborts.delete(item.uuid);
    });
    preparing.set(item.uuid, running);
    // whoever sends the message handles the error; a preparation started early must not go unhandled
    running.catch(noop);
  }
  return running;
}

// ---------- sending ----------

function payloadOf(item: OutgoingMessage, sessionToken: string): MessageSendPayload {
  const file = item.attachment;
  if (!file) return { sessionToken, msgtype: MsgType.Text, msg: item.msg, uuid: item.uuid };
  return { sessionToken, msgtype: item.msgtype, msg: item.msg, uuid: item.uuid, filemd5: file.md5!, filename: file.name };
}

async function sendOnce(item: OutgoingMessage): Promise<MessageSendResult> {
  const token = await hooks!.sessionToken(item.sessionid, false);
  try {
    return await socketRequest(connection.socket, 'message:send', payloadOf(item, token), SEND_TIMEOUT_MS);
  } catch (error) {
    // a session token that expired between caching and use (or older than a reconnect): once more with a fresh one
    if (!(error instanceof RequestError) || !error.code.startsWith('token_')) throw error;
    const fresh = await hooks!.sessionToken(item.sessionid, true);
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
    hooks?.delivered(item, result);
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
    item.error = error instanceof Error ? error.message : String(error);
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
      if (mine !== generation || !hooks || !connection.socket?.connected) return;
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

function send(sessionid: string, text: string): void {
  const msg = text.trim();
  if (!msg) return;
  enqueue({ uuid: newUuid(), sessionid, msg, time: Date.now(), order: nextOrder(), status: 'sending', msgtype: MsgType.Text });
}

interface FileToSend {
  blob: Blob;
  name: string;
  /** Force a message type (voice recordings). */
  msgtype?: MsgType;
  durationMs?: number;
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
    // the caption: the file's name, so text-only clients still say what was sent
    msg: file.name,
    time: Date.now(),
    order: nextOrder(),
    status: 'sending',
    msgtype: file.msgtype ?? (kind === 'image' ? MsgType.Image : kind === 'audio' ? MsgType.Voice : kind === 'video' ? MsgType.Video : MsgType.File),
    ...(file.msgtype !== undefined ? { msgtypeFixed: true } : {}),
    attachment,
  });
}

/** At most 255 characters, the extension kept (the server trims names further if it must). */
function clipName(name: string): string {
  const chars = [...name.replace(/[\u0000-\u001f\u007f]/g, '_')];
  if (chars.length <= 255) return chars.join('');
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 && name.length - dot <= 16 ? name.slice(dot) : '';
  return chars.slice(0, 255 - [...ext].length).join('') + ext;
}

/** Sends picked, dropped or pasted files, each as its own message. */
function sendFiles(sessionid: string, files: Iterable<File>): void {
  for (const file of files) {
    if (file.size === 0) continue;
    queueFile(sessionid, { blob: file, name: clipName(file.name) || 'file' });
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

  configure(wiring: OutboxHooks): void {
    hooks = wiring;
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
    for (const abort of uploadAborts.values()) abort.abort();
    uploadAborts.clear();
    preparing.clear();
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
