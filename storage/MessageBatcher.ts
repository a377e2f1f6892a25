import { MongoBulkWriteError, ObjectId } from 'mongodb';
import type { Database } from './Database';
import type { ConversationLogDoc, MessageChangeDoc, MessageDoc } from './documents';
import { SessionNotFoundError, StorageError, isDuplicateKeyError } from './errors';
import type { ChangeDraft, MessageBatcherOptions, MessageDraft, StoredMessage } from './MessageBatcherTypes';
import { searchableTextOf, searchTermsOf } from './searchTerms';

/** What a pending entry is: a message, or a change event (S24), which takes a seq the same way. */
type Draft = ({ kind: 'message' } & MessageDraft) | ({ kind: 'change'; uuid: string } & ChangeDraft);

interface Pending {
  /** The entry's _id, fixed at submit: a retried insert that finds it stored knows it is its own. */
  id: ObjectId;
  draft: Draft;
  time: number;
  attempts: number;
  resolve: (doc: ConversationLogDoc, duplicate: boolean) => void;
  reject: (err: unknown) => void;
}

const isChange = (doc: ConversationLogDoc): doc is MessageChangeDoc => 'change' in doc;

export class BatcherClosedError extends StorageError {
  constructor() {
    super('unavailable', 'the message store is shutting down');
  }
}

/** The database could not store the message (unreachable, failing over, ...): nothing was acknowledged; send it again (same uuid). */
export class StoreUnavailableError extends StorageError {
  constructor(readonly reason: unknown) {
    super('unavailable', 'the message could not be stored (database unavailable); try again');
  }
}

/** Failures other than a named storage error become a retryable `unavailable`. */
const unavailable = (err: unknown): unknown => (err instanceof StorageError ? err : new StoreUnavailableError(err));

/**
 * Writes messages in batches (S17): sends that arrive within a few milliseconds go to the database
 * in one ordered insertMany, and each promise settles only once its message is stored.
 *
 * Seqs are gapless without reservations: a batch numbers its messages from the highest stored seq
 * and inserts them in order; a unique (sessionid, seq) conflict with another process stops the
 * ordered insert at that message, and the rest are renumbered from the fresh maximum and retried.
 * A unique (sessionid, senduid, uuid) conflict means the message was stored before: its earlier
 * copy is returned instead, so a re-sent message is stored once.
 */
export class MessageBatcher {
  private pending: Pending[] = [];
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private closed = false;
  /** Highest seq this process knows per session, to skip a conflict when the session's lastSeq lags. */
  private readonly knownMax = new Map<string, number>();
  private readonly windowMs: number;
  private readonly maxBatch: number;
  private readonly maxAttempts: number;

  constructor(
    private readonly db: Database,
    private readonly options: MessageBatcherOptions = {},
  ) {
    this.windowMs = options.windowMs ?? 2;
    this.maxBatch = options.maxBatch ?? 500;
    this.maxAttempts = options.maxAttempts ?? 20;
  }

  submit(draft: MessageDraft): Promise<StoredMessage> {
    return new Promise((resolve, reject) => {
      this.enqueue({ kind: 'message', ...draft }, (doc, duplicate) => resolve({ message: doc as MessageDoc, duplicate }), reject);
    });
  }

  /**
   * A change event (S24): stored in the same ordered inserts as messages, so it takes the
   * conversation's next seq; resolves once stored.
   */
  submitChange(draft: ChangeDraft): Promise<MessageChangeDoc> {
    const id = new ObjectId();
    return new Promise((resolve, reject) => {
      // The uuid only fills the (sessionid, senduid, uuid) unique index: a change is never merged.
      this.enqueue({ kind: 'change', ...draft, uuid: `~${id.toHexString()}` }, (doc) => resolve(doc as MessageChangeDoc), reject, id);
    });
  }

  private enqueue(draft: Draft, resolve: Pending['resolve'], reject: Pending['reject'], id = new ObjectId()): void {
    if (this.closed) {
      reject(new BatcherClosedError());
      return;
    }
    this.pending.push({ id, draft, time: Date.now(), attempts: 0, resolve, reject });
    this.schedule();
  }

  /** Stores everything submitted so far, then refuses new messages. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.drain();
  }

  /** Resolves once everything submitted before the call is settled. */
  async drain(): Promise<void> {
    while (this.running || this.pending.length) {
      if (!this.running) this.running = this.run();
      await this.running;
    }
  }

  private schedule(): void {
    if (this.running || this.timer) return;
    if (this.pending.length >= this.maxBatch) {
      this.running = this.run();
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = null;
      if (!this.running) this.running = this.run();
    }, this.windowMs);
  }

  private async run(): Promise<void> {
    try {
      // Messages arriving while a batch is in flight form the next batch at once.
      while (this.pending.length) {
        const batch = this.pending.splice(0, this.maxBatch);
        this.lastUnavailable = null;
        await this.storeBatch(batch);
        // The database was away for the whole batch: messages that queued behind it for long fail
        // now (retryable) rather than wait a second server-selection timeout.
        if (this.lastUnavailable) this.failWaiting(this.lastUnavailable);
      }
    } finally {
      this.running = null;
    }
  }

  private lastUnavailable: unknown = null;

  private failWaiting(err: unknown, maxWaitMs = 3000): void {
    const now = Date.now();
    const keep: Pending[] = [];
    for (const p of this.pending) {
      if (now - p.time > maxWaitMs) p.reject(err);
      else keep.push(p);
    }
    this.pending = keep;
  }

  private async storeBatch(batch: Pending[]): Promise<void> {
    let todo = this.mergeDuplicates(batch);
    while (todo.length) {
      todo = await this.attempt(todo);
    }
  }

  /** Two sends with the same key in one batch: the later ones settle with the first's result. */
  private mergeDuplicates(batch: Pending[]): Pending[] {
    const byKey = new Map<string, Pending>();
    const unique: Pending[] = [];
    for (const p of batch) {
      const key = `${p.draft.sessionid}|${p.draft.senduid}|${p.draft.uuid}`;
      const first = byKey.get(key);
      if (!first) {
        byKey.set(key, p);
        unique.push(p);
        continue;
      }
      const { resolve, reject } = first;
      first.resolve = (doc, duplicate) => {
        resolve(doc, duplicate);
        p.resolve(doc, true);
      };
      first.reject = (err) => {
        reject(err);
        p.reject(err);
      };
    }
    return unique;
  }

  /** One ordered insertMany; answers what must be tried again. */
  private async attempt(todo: Pending[]): Promise<Pending[]> {
    const started = process.hrtime.bigint();
    let bases: Map<string, number>;
    try {
      bases = await this.seqBases([...new Set(todo.map((p) => p.draft.sessionid))]);
    } catch (err) {
      this.lastUnavailable = unavailable(err);
      for (const p of todo) p.reject(this.lastUnavailable);
      return [];
    }
    const ordered: Pending[] = [];
    const docs: ConversationLogDoc[] = [];
    const next = new Map(bases);
    // Group by session so each session's seqs are contiguous inside the ordered insert.
    const bySession = new Map<string, Pending[]>();
    for (const p of todo) {
      const list = bySession.get(p.draft.sessionid) ?? [];
      list.push(p);
      bySession.set(p.draft.sessionid, list);
    }
    for (const [sessionid, list] of bySession) {
      const base = next.get(sessionid);
      if (base === undefined) {
        for (const p of list) p.reject(new SessionNotFoundError());
        continue;
      }
      let seq = base;
      for (const p of list) {
        seq += 1;
        p.attempts += 1;
        ordered.push(p);
        const d = p.draft;
        if (d.kind === 'change') {
          docs.push({ _id: p.id, sessionid, seq, senduid: d.senduid, uuid: d.uuid, change: d.change, dateline: p.time });
          continue;
        }
        docs.push({
          _id: p.id,
          sessionid,
          seq,
          senduid: d.senduid,
          nickname: d.nickname,
          msgtype: d.msgtype,
          content: d.content,
          // A file message's size is the file's (PROTOCOL.md), a text message's that of its text.
          size: d.fileinfo ? d.fileinfo.size : Buffer.byteLength(d.content),
          uuid: d.uuid,
          ...(d.fileinfo ? { fileinfo: d.fileinfo } : {}),
          ...(d.liveinfo ? { liveinfo: d.liveinfo } : {}),
          ...(d.callinfo ? { callinfo: d.callinfo } : {}),
          ...(d.replyTo ? { replyTo: d.replyTo } : {}),
          ...(d.mentions?.length ? { mentions: d.mentions } : {}),
          dateline: p.time,
          terms: searchTermsOf(searchableTextOf(d)),
        });
      }
    }
    if (docs.length === 0) return [];

    let inserted = docs.length;
    let failure: unknown = null;
    try {
      await this.db.conversationLog.insertMany(docs, { ordered: true });
    } catch (err) {
      failure = err;
      inserted = err instanceof MongoBulkWriteError ? (err.result?.insertedCount ?? 0) : 0;
    }
    this.options.onBatch?.(docs.length, Number(process.hrtime.bigint() - started) / 1e9);

    const storedDocs = docs.slice(0, inserted);
    if (storedDocs.length) {
      // Session bookkeeping is best effort: the messages collection stays the authority on seq.
      await this.recordSessionHeads(storedDocs).catch(() => undefined);
    }
    for (let i = 0; i < inserted; i++) ordered[i].resolve(docs[i], false);
    if (!failure) return [];

    const failedAt = inserted;
    const failed = ordered[failedAt];
    const retry: Pending[] = [];
    const dupKind = this.duplicateKind(failure);
    if (failed && (dupKind === 'uuid' || dupKind === 'id')) {
      const earlier = await this.db.conversationLog
        .findOne(
          dupKind === 'id' ? { _id: failed.id } : { sessionid: failed.draft.sessionid, senduid: failed.draft.senduid, uuid: failed.draft.uuid },
        )
        .catch(() => null);
      // Our own earlier attempt (its answer was lost with the connection) stored it: not a duplicate.
      if (earlier) failed.resolve(earlier, !earlier._id.equals(failed.id));
      else retry.push(failed);
    } else if (failed && dupKind === 'seq') {
      this.knownMax.delete(failed.draft.sessionid);
      this.staleSessions.add(failed.draft.sessionid);
      retry.push(failed);
    } else if (failed) {
      // Not a conflict (database away, ...): nothing after this point is known to be stored, so none
      // is acknowledged; they fail with a retryable error and a re-send (same uuid) stores each once.
      this.lastUnavailable = unavailable(failure);
      for (const p of ordered.slice(failedAt)) p.reject(this.lastUnavailable);
      return [];
    }
    retry.push(...ordered.slice(failedAt + 1));
    const giveUp = retry.filter((p) => p.attempts >= this.maxAttempts);
    for (const p of giveUp) p.reject(unavailable(failure));
    return retry.filter((p) => p.attempts < this.maxAttempts);
  }

  /** Sessions whose cached head proved stale: their next base comes from the messages collection. */
  private readonly staleSessions = new Set<string>();

  private async seqBases(sessionids: string[]): Promise<Map<string, number>> {
    const heads = await this.db.sessions
      .find({ _id: { $in: sessionids.filter((id) => ObjectId.isValid(id)).map((id) => new ObjectId(id)) } }, { projection: { lastSeq: 1 } })
      .toArray();
    const bases = new Map<string, number>();
    for (const head of heads) {
      const id = head._id.toHexString();
      bases.set(id, Math.max(head.lastSeq ?? 0, this.knownMax.get(id) ?? 0));
    }
    for (const id of this.staleSessions) {
      if (!bases.has(id)) continue;
      const [last] = await this.db.messages.find({ sessionid: id }, { projection: { seq: 1 } }).sort({ seq: -1 }).limit(1).toArray();
      bases.set(id, Math.max(bases.get(id) ?? 0, last?.seq ?? 0));
    }
    this.staleSessions.clear();
    return bases;
  }

  private async recordSessionHeads(docs: ConversationLogDoc[]): Promise<void> {
    const heads = new Map<string, { seq: number; message?: MessageDoc }>();
    for (const doc of docs) {
      const head = heads.get(doc.sessionid) ?? { seq: 0 };
      head.seq = doc.seq;
      // A change event moves lastSeq; the list preview stays the newest message.
      if (!isChange(doc)) head.message = doc;
      heads.set(doc.sessionid, head);
    }
    for (const [sessionid, head] of heads) this.knownMax.set(sessionid, Math.max(this.knownMax.get(sessionid) ?? 0, head.seq));
    await this.db.sessions.bulkWrite(
      [...heads].map(([sessionid, head]) => ({
        updateOne: {
          filter: { _id: new ObjectId(sessionid), lastSeq: { $lt: head.seq } },
          update: { $set: { lastSeq: head.seq, ...(head.message ? { lastActivity: head.message.dateline, lastMessage: head.message } : {}) } },
        },
      })),
      { ordered: false },
    );
  }

  private duplicateKind(err: unknown): 'uuid' | 'id' | 'seq' | null {
    if (!(err instanceof MongoBulkWriteError)) return null;
    const writeErrors = Array.isArray(err.writeErrors) ? err.writeErrors : [err.writeErrors];
    const first = writeErrors[0];
    if (!first || !isDuplicateKeyError(first)) return null;
    const text = `${first.errmsg ?? ''} ${JSON.stringify(first.errInfo ?? {})} ${JSON.stringify((first as unknown as { err?: { keyPattern?: unknown } }).err?.keyPattern ?? {})}`;
    if (text.includes('uuid')) return 'uuid';
    return /index: _id_ |\{"_id":1\}/.test(text) ? 'id' : 'seq';
  }
}
