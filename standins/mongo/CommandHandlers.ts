import os from 'node:os';
import { Binary, Long, ObjectId, UUID } from 'bson';
import { ChangeStreamHub } from './ChangeStreamHub';
import { CommandError } from './CommandError';
import { DocumentValues, MAX_BSON_OBJECT_SIZE } from './DocumentValues';
import { QueryEngine } from './QueryEngine';
import { StorageEngine } from './StorageEngine';
import { TransactionManager } from './TransactionManager';
import { WriteScope } from './WriteScope';
import type { ChangeStreamState, CursorRegistry, ServerCursor } from './CursorRegistry';
import type { Doc, DevMongoLogger, IndexSpec } from './DevMongoServerTypes';
import type { Journal } from './Journal';
import type { ActiveTransaction } from './TransactionManager';
import type { StoredCollection } from './StoredCollection';

interface Ctx {
  cmd: Doc;
  db: string;
  connectionId: number;
  scope: WriteScope;
  txn: ActiveTransaction | null;
}

type Handler = (ctx: Ctx) => Doc | Promise<Doc>;

const DEFAULT_FIRST_BATCH = 101;
/** Reply batches stay under the BSON limit with room for the envelope. */
const MAX_BATCH_BYTES = MAX_BSON_OBJECT_SIZE - 64 * 1024;
const MAX_WIRE_VERSION = 21;
const SERVER_VERSION = '7.0.0';
const DEFAULT_AWAIT_MS = 1000;

/** Commands that change data and therefore wait while another session's transaction is open. */
const WRITE_COMMANDS = new Set([
  'insert', 'update', 'delete', 'findAndModify', 'findandmodify', 'create', 'createIndexes',
  'drop', 'dropIndexes', 'deleteIndexes', 'dropDatabase',
]);

/** Fields of a command envelope that are not collection options. */
const ENVELOPE_FIELDS = new Set([
  'lsid', 'txnNumber', 'autocommit', 'startTransaction', 'writeConcern', 'readConcern', 'comment', 'apiVersion',
  'apiStrict', 'apiDeprecationErrors', 'maxTimeMS',
]);

/** Implements the mongod commands the driver uses, on top of the storage engine. */
export class CommandHandlers {
  private readonly handlers = new Map<string, Handler>();
  private readonly electionId = new ObjectId('7fffffff0000000000000001');
  private closing = false;

  constructor(
    private readonly storage: StorageEngine,
    private readonly journal: Journal | null,
    private readonly hub: ChangeStreamHub,
    private readonly txns: TransactionManager,
    private readonly cursors: CursorRegistry,
    private readonly info: { host: () => string; replSetName: string; logger: DevMongoLogger },
  ) {
    const h = this.handlers;
    for (const name of ['hello', 'isMaster', 'ismaster']) h.set(name, (c) => this.hello(c));
    h.set('ping', () => ({}));
    h.set('buildInfo', () => this.buildInfo());
    h.set('buildinfo', () => this.buildInfo());
    h.set('getParameter', () => ({ featureCompatibilityVersion: { version: '7.0' } }));
    h.set('getCmdLineOpts', () => ({ argv: ['devmongo'], parsed: {} }));
    h.set('hostInfo', () => ({ system: { hostname: os.hostname(), numCores: os.cpus().length }, os: { type: os.type() }, extra: {} }));
    h.set('serverStatus', () => ({ host: os.hostname(), version: SERVER_VERSION, process: 'devmongo', uptime: process.uptime(), localTime: new Date() }));
    h.set('connectionStatus', () => ({ authInfo: { authenticatedUsers: [], authenticatedUserRoles: [] } }));
    h.set('whatsmyuri', () => ({ you: '127.0.0.1' }));
    h.set('insert', (c) => this.insert(c));
    h.set('update', (c) => this.update(c));
    h.set('delete', (c) => this.delete(c));
    h.set('find', (c) => this.find(c));
    h.set('getMore', (c) => this.getMore(c));
    h.set('killCursors', (c) => this.killCursors(c));
    h.set('findAndModify', (c) => this.findAndModify(c));
    h.set('findandmodify', (c) => this.findAndModify(c));
    h.set('count', (c) => this.count(c));
    h.set('distinct', (c) => this.distinct(c));
    h.set('aggregate', (c) => this.aggregate(c));
    h.set('createIndexes', (c) => this.createIndexes(c));
    h.set('listIndexes', (c) => this.listIndexes(c));
    h.set('dropIndexes', (c) => this.dropIndexes(c));
    h.set('deleteIndexes', (c) => this.dropIndexes(c));
    h.set('create', (c) => this.create(c));
    h.set('listCollections', (c) => this.listCollections(c));
    h.set('drop', (c) => this.drop(c));
    h.set('dropDatabase', (c) => this.dropDatabase(c));
    h.set('listDatabases', (c) => this.listDatabases(c));
    h.set('dbStats', (c) => this.dbStats(c));
    h.set('endSessions', (c) => this.endSessions(c, 'endSessions'));
    h.set('killSessions', (c) => this.endSessions(c, 'killSessions'));
    h.set('killAllSessions', () => (this.txns.abortAll('killAllSessions'), {}));
    h.set('refreshSessions', () => ({}));
    h.set('startSession', () => ({ id: { id: new UUID() }, timeoutMinutes: 30 }));
  }

  /** Stops waiting getMores from blocking shutdown. */
  shutdown(): void {
    this.closing = true;
    this.hub.wakeAll();
  }

  /** Runs one command and returns the full reply document (ok:1 or an error reply). */
  async run(cmd: Doc, db: string, connectionId: number): Promise<Doc> {
    const name = Object.keys(cmd)[0] ?? '';
    let reply: Doc;
    try {
      const body = await this.dispatch(name, cmd, db, connectionId);
      reply = { ...body, ok: 1, operationTime: this.hub.now() };
    } catch (err) {
      if (err instanceof CommandError) reply = { ok: 0, ...err.toReplyFields() };
      else {
        this.info.logger.error?.({ err, command: name }, 'devmongo command failed unexpectedly');
        reply = { ok: 0, errmsg: err instanceof Error ? err.message : String(err), code: 1, codeName: 'InternalError' };
      }
    }
    // Whatever the command wrote (also before a failure) is on its way to disk before the reply.
    try {
      this.journal?.writePending();
    } catch (err) {
      this.info.logger.error?.({ err, command: name }, 'devmongo journal write failed');
      reply = { ok: 0, errmsg: `journal write failed: ${(err as Error).message}`, code: 1, codeName: 'InternalError' };
    }
    return reply;
  }

  private async dispatch(name: string, cmd: Doc, db: string, connectionId: number): Promise<Doc> {
    const handler = this.handlers.get(name);
    const sessionKey = CommandHandlers.sessionKey(cmd.lsid);
    const inTxn = cmd.autocommit === false && sessionKey !== null && typeof cmd.txnNumber === 'number';
    if (inTxn) return this.dispatchInTransaction(name, handler, cmd, db, connectionId, sessionKey, cmd.txnNumber as number);
    if (name === 'commitTransaction' || name === 'abortTransaction') {
      throw new CommandError(50768, 'Location50768', `${name} must be run within a transaction`);
    }
    if (!handler) throw new CommandError(59, 'CommandNotFound', `no such command: '${name}'`);
    const ctx: Ctx = { cmd, db, connectionId, scope: new WriteScope(this.journal, this.hub, null), txn: null };
    if (WRITE_COMMANDS.has(name)) return this.txns.runAutocommit(() => handler(ctx));
    return handler(ctx);
  }

  private async dispatchInTransaction(
    name: string,
    handler: Handler | undefined,
    cmd: Doc,
    db: string,
    connectionId: number,
    sessionKey: string,
    txnNumber: number,
  ): Promise<Doc> {
    if (name === 'commitTransaction') {
      this.txns.commit(sessionKey, txnNumber);
      return {};
    }
    if (name === 'abortTransaction') {
      this.txns.abort(sessionKey, txnNumber);
      return {};
    }
    if (!handler) throw new CommandError(59, 'CommandNotFound', `no such command: '${name}'`);
    const txn = cmd.startTransaction
      ? await this.txns.begin(sessionKey, txnNumber, connectionId)
      : this.txns.continue(sessionKey, txnNumber, connectionId);
    const ctx: Ctx = { cmd, db, connectionId, scope: new WriteScope(this.journal, this.hub, txn), txn };
    try {
      const reply = await handler(ctx);
      // Like mongod, a failed write inside a transaction aborts the whole transaction.
      if (Array.isArray(reply.writeErrors) && reply.writeErrors.length > 0) this.txns.abortTxn(txn, 'write error');
      return reply;
    } catch (err) {
      this.txns.abortTxn(txn, 'command error');
      throw err;
    }
  }

  private static sessionKey(lsid: unknown): string | null {
    const id = (lsid as Doc | undefined)?.id;
    if (id instanceof Binary) return Buffer.from(id.buffer).toString('hex');
    return null;
  }

  private collName(ctx: Ctx, field: string): string {
    const name = ctx.cmd[field];
    if (typeof name !== 'string' || name.length === 0) {
      throw new CommandError(73, 'InvalidNamespace', `collection name must be a non-empty string, got ${typeof name}`);
    }
    return name;
  }

  private hello(ctx: Ctx): Doc {
    const host = this.info.host();
    return {
      helloOk: true,
      ismaster: true,
      isWritablePrimary: true,
      secondary: false,
      setName: this.info.replSetName,
      setVersion: 1,
      hosts: [host],
      primary: host,
      me: host,
      electionId: this.electionId,
      lastWrite: { opTime: { ts: this.hub.now(), t: Long.fromNumber(1) }, lastWriteDate: new Date() },
      maxBsonObjectSize: MAX_BSON_OBJECT_SIZE,
      maxMessageSizeBytes: 48_000_000,
      maxWriteBatchSize: 100_000,
      localTime: new Date(),
      logicalSessionTimeoutMinutes: 30,
      connectionId: ctx.connectionId,
      minWireVersion: 0,
      maxWireVersion: MAX_WIRE_VERSION,
      readOnly: false,
    };
  }

  private buildInfo(): Doc {
    return {
      version: SERVER_VERSION,
      versionArray: [7, 0, 0, 0],
      gitVersion: 'devmongo',
      bits: 64,
      maxBsonObjectSize: MAX_BSON_OBJECT_SIZE,
      storageEngines: ['devmongo'],
      javascriptEngine: 'none',
      modules: [],
    };
  }

  // ---- writes ----------------------------------------------------------------------------

  private insert(ctx: Ctx): Doc {
    const coll = this.storage.ensureCollection(ctx.scope, ctx.db, this.collName(ctx, 'insert'));
    const docs = Array.isArray(ctx.cmd.documents) ? (ctx.cmd.documents as Doc[]) : [];
    const ordered = ctx.cmd.ordered !== false;
    let n = 0;
    const writeErrors: Doc[] = [];
    for (let i = 0; i < docs.length; i++) {
      try {
        const doc = '_id' in docs[i] ? DocumentValues.idFirst(docs[i]) : { _id: new ObjectId(), ...docs[i] };
        this.storage.insert(ctx.scope, coll, doc);
        n++;
      } catch (err) {
        if (!(err instanceof CommandError)) throw err;
        writeErrors.push({ index: i, ...err.toReplyFields() });
        if (ordered) break;
      }
    }
    return writeErrors.length > 0 ? { n, writeErrors } : { n };
  }

  private buildUpsertDoc(filter: Doc | undefined, u: Doc | Doc[], arrayFilters?: Doc[]): Doc {
    const seed = QueryEngine.upsertSeed(filter);
    let doc: Doc;
    if (Array.isArray(u) || QueryEngine.isOperatorUpdate(u)) {
      doc = QueryEngine.applyUpdate(seed, u, { isInsert: true, arrayFilters });
    } else {
      doc = DocumentValues.clone(u);
      if (!('_id' in doc) && '_id' in seed) doc = { _id: seed._id, ...doc };
    }
    if (!('_id' in doc)) doc = { _id: new ObjectId(), ...doc };
    return DocumentValues.idFirst(doc);
  }

  private update(ctx: Ctx): Doc {
    const name = this.collName(ctx, 'update');
    const statements = Array.isArray(ctx.cmd.updates) ? (ctx.cmd.updates as Doc[]) : [];
    const ordered = ctx.cmd.ordered !== false;
    let n = 0;
    let nModified = 0;
    const upserted: Doc[] = [];
    const writeErrors: Doc[] = [];
    for (let i = 0; i < statements.length; i++) {
      const st = statements[i];
      try {
        const u = st.u as Doc | Doc[];
        if (u === null || typeof u !== 'object') throw new CommandError(9, 'FailedToParse', "the 'u' field must be an object or array");
        const isOperator = Array.isArray(u) || QueryEngine.isOperatorUpdate(u);
        if (st.multi && !isOperator) throw new CommandError(9, 'FailedToParse', 'multi update is not supported for replacement-style update');
        const matched = QueryEngine.select(this.storage.getCollection(ctx.db, name), st.q, st.multi ? 0 : 1);
        if (matched.length === 0 && st.upsert) {
          const coll = this.storage.ensureCollection(ctx.scope, ctx.db, name);
          const doc = this.buildUpsertDoc(st.q, u, st.arrayFilters);
          this.storage.insert(ctx.scope, coll, doc);
          n++;
          upserted.push({ index: i, _id: doc._id });
          continue;
        }
        const coll = this.storage.getCollection(ctx.db, name);
        for (const doc of matched) {
          const next = QueryEngine.applyUpdate(doc, u, { isInsert: false, filter: st.q, arrayFilters: st.arrayFilters });
          n++;
          if (!DocumentValues.sameValue(doc, next)) {
            this.storage.replace(ctx.scope, coll as StoredCollection, doc, next, isOperator ? 'update' : 'replace');
            nModified++;
          }
        }
      } catch (err) {
        if (!(err instanceof CommandError)) throw err;
        writeErrors.push({ index: i, ...err.toReplyFields() });
        if (ordered) break;
      }
    }
    const reply: Doc = { n, nModified };
    if (upserted.length > 0) reply.upserted = upserted;
    if (writeErrors.length > 0) reply.writeErrors = writeErrors;
    return reply;
  }

  private delete(ctx: Ctx): Doc {
    const coll = this.storage.getCollection(ctx.db, this.collName(ctx, 'delete'));
    const statements = Array.isArray(ctx.cmd.deletes) ? (ctx.cmd.deletes as Doc[]) : [];
    const ordered = ctx.cmd.ordered !== false;
    let n = 0;
    const writeErrors: Doc[] = [];
    for (let i = 0; i < statements.length; i++) {
      try {
        const matched = QueryEngine.select(coll, statements[i].q, statements[i].limit === 1 ? 1 : 0);
        for (const doc of matched) {
          this.storage.remove(ctx.scope, coll as StoredCollection, doc);
          n++;
        }
      } catch (err) {
        if (!(err instanceof CommandError)) throw err;
        writeErrors.push({ index: i, ...err.toReplyFields() });
        if (ordered) break;
      }
    }
    return writeErrors.length > 0 ? { n, writeErrors } : { n };
  }

  private findAndModify(ctx: Ctx): Doc {
    const name = this.collName(ctx, 'findAndModify' in ctx.cmd ? 'findAndModify' : 'findandmodify');
    const { query, sort, remove, update, upsert, fields, arrayFilters } = ctx.cmd;
    const returnNew = ctx.cmd.new === true;
    if (remove && update !== undefined) throw new CommandError(9, 'FailedToParse', 'Cannot specify both an update and remove=true');
    if (!remove && (update === undefined || update === null)) {
      throw new CommandError(9, 'FailedToParse', 'Either an update or remove=true must be specified');
    }
    const coll = this.storage.getCollection(ctx.db, name);
    const [doc] = QueryEngine.find(coll, { filter: query, sort, limit: 1 });
    const project = (d: Doc | null) => (d && fields ? QueryEngine.project([d], fields)[0] : d);
    if (remove) {
      if (!doc) return { lastErrorObject: { n: 0 }, value: null };
      this.storage.remove(ctx.scope, coll as StoredCollection, doc);
      return { lastErrorObject: { n: 1 }, value: project(doc) };
    }
    if (doc) {
      const next = QueryEngine.applyUpdate(doc, update, { isInsert: false, filter: query, arrayFilters });
      if (!DocumentValues.sameValue(doc, next)) {
        const kind = Array.isArray(update) || QueryEngine.isOperatorUpdate(update) ? 'update' : 'replace';
        this.storage.replace(ctx.scope, coll as StoredCollection, doc, next, kind);
      }
      return { lastErrorObject: { n: 1, updatedExisting: true }, value: project(returnNew ? next : doc) };
    }
    if (upsert) {
      const target = this.storage.ensureCollection(ctx.scope, ctx.db, name);
      const inserted = this.buildUpsertDoc(query, update, arrayFilters);
      this.storage.insert(ctx.scope, target, inserted);
      return {
        lastErrorObject: { n: 1, updatedExisting: false, upserted: inserted._id },
        value: returnNew ? project(inserted) : null,
      };
    }
    return { lastErrorObject: { n: 0, updatedExisting: false }, value: null };
  }

  // ---- reads and cursors ------------------------------------------------------------------

  /** Takes the next batch from a document list, bounded by count and reply size. */
  private static takeBatch(cursorDocs: Doc[], from: number, batchSize: number): Doc[] {
    const batch: Doc[] = [];
    let bytes = 0;
    for (let i = from; i < cursorDocs.length && batch.length < batchSize; i++) {
      const size = DocumentValues.size(cursorDocs[i]);
      if (batch.length > 0 && bytes + size > MAX_BATCH_BYTES) break;
      bytes += size;
      batch.push(cursorDocs[i]);
    }
    return batch;
  }

  private cursorReply(ctx: Ctx, ns: string, docs: Doc[], batchSize: number | undefined, singleBatch: boolean): Doc {
    const size = typeof batchSize === 'number' && batchSize > 0 ? batchSize : DEFAULT_FIRST_BATCH;
    const firstBatch = CommandHandlers.takeBatch(docs, 0, size);
    let id = 0;
    if (!singleBatch && firstBatch.length < docs.length) {
      const cursor = this.cursors.create(ctx.connectionId, ns, docs);
      cursor.position = firstBatch.length;
      id = cursor.id;
    }
    return { cursor: { firstBatch, id: Long.fromNumber(id), ns } };
  }

  private find(ctx: Ctx): Doc {
    const name = this.collName(ctx, 'find');
    const { filter, sort, projection, skip, limit, batchSize, singleBatch } = ctx.cmd;
    if (filter !== undefined && (filter === null || typeof filter !== 'object' || Array.isArray(filter))) {
      throw new CommandError(14, 'TypeMismatch', "BSON field 'FindCommandRequest.filter' is the wrong type, expected type 'object'");
    }
    const docs = QueryEngine.find(this.storage.getCollection(ctx.db, name), { filter, sort, projection, skip, limit });
    const single = singleBatch === true || (typeof limit === 'number' && limit < 0);
    return this.cursorReply(ctx, `${ctx.db}.${name}`, docs, batchSize, single);
  }

  private async getMore(ctx: Ctx): Promise<Doc> {
    const id = Number(ctx.cmd.getMore);
    const ns = `${ctx.db}.${this.collName(ctx, 'collection')}`;
    const cursor = this.cursors.get(id, ns);
    if (cursor.busy) throw new CommandError(43, 'CursorInUse', `cursor id ${id} is already in use`);
    const batchSize = typeof ctx.cmd.batchSize === 'number' && ctx.cmd.batchSize > 0 ? ctx.cmd.batchSize : Number.MAX_SAFE_INTEGER;
    if (cursor.changeStream) return this.changeStreamGetMore(ctx, cursor, cursor.changeStream, batchSize);
    const nextBatch = CommandHandlers.takeBatch(cursor.docs, cursor.position, batchSize);
    cursor.position += nextBatch.length;
    let replyId = cursor.id;
    if (cursor.position >= cursor.docs.length) {
      this.cursors.kill(cursor.id);
      replyId = 0;
    }
    return { cursor: { nextBatch, id: Long.fromNumber(replyId), ns } };
  }

  private killCursors(ctx: Ctx): Doc {
    const ids = Array.isArray(ctx.cmd.cursors) ? ctx.cmd.cursors : [];
    const killed: Long[] = [];
    const notFound: Long[] = [];
    for (const raw of ids) {
      const id = Number(raw);
      (this.cursors.kill(id) ? killed : notFound).push(Long.fromNumber(id));
    }
    return { cursorsKilled: killed, cursorsNotFound: notFound, cursorsAlive: [], cursorsUnknown: [] };
  }

  private count(ctx: Ctx): Doc {
    const coll = this.storage.getCollection(ctx.db, this.collName(ctx, 'count'));
    let n = QueryEngine.select(coll, ctx.cmd.query).length;
    const skip = typeof ctx.cmd.skip === 'number' ? ctx.cmd.skip : 0;
    n = Math.max(0, n - skip);
    const limit = typeof ctx.cmd.limit === 'number' ? Math.abs(ctx.cmd.limit) : 0;
    if (limit > 0) n = Math.min(n, limit);
    return { n };
  }

  private distinct(ctx: Ctx): Doc {
    const coll = this.storage.getCollection(ctx.db, this.collName(ctx, 'distinct'));
    const key = ctx.cmd.key;
    if (typeof key !== 'string') throw new CommandError(14, 'TypeMismatch', "'key' must be a string");
    const seen = new Map<string, unknown>();
    for (const doc of QueryEngine.select(coll, ctx.cmd.query)) {
      const v = DocumentValues.getPath(doc, key);
      if (v === undefined) continue;
      for (const item of Array.isArray(v) ? v : [v]) {
        const k = DocumentValues.key(item);
        if (!seen.has(k)) seen.set(k, item);
      }
    }
    return { values: [...seen.values()] };
  }

  private aggregate(ctx: Ctx): Doc {
    const pipeline = ctx.cmd.pipeline;
    if (!Array.isArray(pipeline)) throw new CommandError(14, 'TypeMismatch', "'pipeline' must be an array");
    if (pipeline.length > 0 && pipeline[0] && '$changeStream' in pipeline[0]) return this.openChangeStream(ctx, pipeline as Doc[]);
    const target = ctx.cmd.aggregate;
    const isCollection = typeof target === 'string';
    if (!isCollection && target !== 1) throw new CommandError(73, 'InvalidNamespace', "'aggregate' must be a collection name or 1");
    // A leading $match on a collection is answered by select, through the indexes.
    const firstMatch =
      isCollection && pipeline.length > 0 && DocumentValues.isPlainObject(pipeline[0]?.$match) ? (pipeline[0].$match as Doc) : undefined;
    const source = isCollection ? QueryEngine.select(this.storage.getCollection(ctx.db, target), firstMatch) : [];
    const stages = (firstMatch ? pipeline.slice(1) : pipeline) as Doc[];
    const results = QueryEngine.aggregate(source, stages, (n) => QueryEngine.select(this.storage.getCollection(ctx.db, n), undefined));
    const ns = isCollection ? `${ctx.db}.${target}` : `${ctx.db}.$cmd.aggregate`;
    return this.cursorReply(ctx, ns, results, ctx.cmd.cursor?.batchSize, false);
  }

  // ---- change streams ---------------------------------------------------------------------

  private openChangeStream(ctx: Ctx, pipeline: Doc[]): Doc {
    const spec = (pipeline[0].$changeStream ?? {}) as Doc;
    const target = ctx.cmd.aggregate;
    const clusterWide = target === 1 && ctx.db === 'admin' && spec.allChangesForCluster === true;
    if (target === 1 && ctx.db === 'admin' && !clusterWide) {
      throw new CommandError(73, 'InvalidNamespace', '$changeStream on the admin database requires allChangesForCluster: true');
    }
    let afterSeq = this.hub.currentSeq;
    const token = spec.resumeAfter ?? spec.startAfter;
    if (token) {
      afterSeq = ChangeStreamHub.parseToken(token);
      this.hub.assertResumable(afterSeq);
    } else if (spec.startAtOperationTime) {
      afterSeq = this.hub.seqBeforeTime(spec.startAtOperationTime);
    }
    const state: ChangeStreamState = {
      db: ctx.db,
      coll: typeof target === 'string' ? target : null,
      dbFilter: clusterWide ? null : ctx.db,
      afterSeq,
      fullDocument: typeof spec.fullDocument === 'string' ? spec.fullDocument : 'default',
      pipeline: pipeline.slice(1),
    };
    // Validate the user stages now so a bad pipeline fails the aggregate, not a later getMore.
    QueryEngine.aggregate([], state.pipeline, () => []);
    const ns = typeof target === 'string' ? `${ctx.db}.${target}` : `${ctx.db}.$cmd.aggregate`;
    const cursor = this.cursors.create(ctx.connectionId, ns, [], state);
    const batchSize = typeof ctx.cmd.cursor?.batchSize === 'number' && ctx.cmd.cursor.batchSize > 0 ? ctx.cmd.cursor.batchSize : DEFAULT_FIRST_BATCH;
    const firstBatch = this.collectChanges(state, batchSize);
    return { cursor: { firstBatch, postBatchResumeToken: ChangeStreamHub.token(state.afterSeq), id: Long.fromNumber(cursor.id), ns } };
  }

  private collectChanges(state: ChangeStreamState, limit: number): Doc[] {
    const out: Doc[] = [];
    for (const e of this.hub.eventsAfter(state.afterSeq)) {
      if (out.length >= limit) break;
      state.afterSeq = e.seq;
      if (state.dbFilter !== null && e.db !== state.dbFilter) continue;
      if (state.coll !== null && e.coll !== state.coll) continue;
      const doc: Doc = {
        _id: ChangeStreamHub.token(e.seq),
        operationType: e.operationType,
        clusterTime: e.clusterTime,
        wallTime: e.wallTime,
        ns: { db: e.db, coll: e.coll },
        documentKey: e.documentKey,
      };
      if (e.updateDescription) doc.updateDescription = e.updateDescription;
      if (e.fullDocument) doc.fullDocument = e.fullDocument;
      else if (e.operationType === 'update' && (state.fullDocument === 'updateLookup' || state.fullDocument === 'whenAvailable' || state.fullDocument === 'required')) {
        doc.fullDocument = this.storage.getCollection(e.db, e.coll)?.getById(e.documentKey._id) ?? null;
      }
      if (state.pipeline.length === 0) out.push(doc);
      else out.push(...QueryEngine.aggregate([doc], state.pipeline, () => []));
    }
    return out;
  }

  private async changeStreamGetMore(ctx: Ctx, cursor: ServerCursor, state: ChangeStreamState, batchSize: number): Promise<Doc> {
    const waitMs = typeof ctx.cmd.maxTimeMS === 'number' && ctx.cmd.maxTimeMS > 0 ? ctx.cmd.maxTimeMS : DEFAULT_AWAIT_MS;
    const deadline = Date.now() + waitMs;
    cursor.busy = true;
    try {
      let batch = this.collectChanges(state, batchSize);
      while (batch.length === 0 && !this.closing && Date.now() < deadline) {
        await this.hub.waitForEvent(deadline - Date.now());
        batch = this.collectChanges(state, batchSize);
      }
      cursor.lastUsed = Date.now();
      return {
        cursor: { nextBatch: batch, postBatchResumeToken: ChangeStreamHub.token(state.afterSeq), id: Long.fromNumber(cursor.id), ns: cursor.ns },
      };
    } finally {
      cursor.busy = false;
    }
  }

  // ---- catalog ----------------------------------------------------------------------------

  private static indexName(key: Doc): string {
    return Object.entries(key)
      .map(([k, v]) => `${k}_${v}`)
      .join('_');
  }

  private createIndexes(ctx: Ctx): Doc {
    const name = this.collName(ctx, 'createIndexes');
    const specs = ctx.cmd.indexes;
    if (!Array.isArray(specs) || specs.length === 0) throw new CommandError(2, 'BadValue', "'indexes' must be a non-empty array");
    const existed = !!this.storage.getCollection(ctx.db, name);
    const coll = this.storage.ensureCollection(ctx.scope, ctx.db, name);
    const before = coll.indexes.length;
    for (const raw of specs as Doc[]) {
      const key = raw.key;
      if (!DocumentValues.isPlainObject(key) || Object.keys(key).length === 0) {
        throw new CommandError(67, 'CannotCreateIndex', "index 'key' must be a non-empty object");
      }
      const spec: IndexSpec = { v: 2, key: key as IndexSpec['key'], name: typeof raw.name === 'string' ? raw.name : CommandHandlers.indexName(key) };
      if (raw.unique) spec.unique = true;
      if (raw.sparse) spec.sparse = true;
      if (typeof raw.expireAfterSeconds === 'number') spec.expireAfterSeconds = raw.expireAfterSeconds;
      if (DocumentValues.isPlainObject(raw.partialFilterExpression)) spec.partialFilterExpression = raw.partialFilterExpression;
      const sameName = coll.findIndex(spec.name);
      const sameKey = coll.indexes.find((i) => DocumentValues.key(i.key) === DocumentValues.key(spec.key));
      if (sameName) {
        if (DocumentValues.key(sameName.key) !== DocumentValues.key(spec.key)) {
          throw new CommandError(86, 'IndexKeySpecsConflict', `An existing index has the same name as the requested index but different key: ${spec.name}`);
        }
        if (CommandHandlers.indexOptionsKey(sameName) !== CommandHandlers.indexOptionsKey(spec)) {
          throw new CommandError(85, 'IndexOptionsConflict', `An existing index has the same name as the requested index but different options: ${spec.name}`);
        }
        continue;
      }
      if (sameKey && CommandHandlers.indexOptionsKey(sameKey) === CommandHandlers.indexOptionsKey(spec)) {
        throw new CommandError(85, 'IndexOptionsConflict', `Index already exists with a different name: ${sameKey.name}`);
      }
      this.storage.createIndex(ctx.scope, coll, spec);
    }
    const reply: Doc = { numIndexesBefore: before, numIndexesAfter: coll.indexes.length, createdCollectionAutomatically: !existed };
    if (before === coll.indexes.length) reply.note = 'all indexes already exist';
    return reply;
  }

  private static indexOptionsKey(spec: IndexSpec): string {
    return DocumentValues.key({
      unique: !!spec.unique,
      sparse: !!spec.sparse,
      ttl: spec.expireAfterSeconds ?? null,
      partial: spec.partialFilterExpression ?? null,
    });
  }

  private requireCollection(ctx: Ctx, name: string): StoredCollection {
    const coll = this.storage.getCollection(ctx.db, name);
    if (!coll) throw new CommandError(26, 'NamespaceNotFound', `ns does not exist: ${ctx.db}.${name}`);
    return coll;
  }

  private listIndexes(ctx: Ctx): Doc {
    const coll = this.requireCollection(ctx, this.collName(ctx, 'listIndexes'));
    return this.cursorReply(ctx, `${ctx.db}.$cmd.listIndexes.${coll.name}`, coll.indexes.map((i) => ({ ...i })), ctx.cmd.cursor?.batchSize, false);
  }

  private dropIndexes(ctx: Ctx): Doc {
    const field = 'dropIndexes' in ctx.cmd ? 'dropIndexes' : 'deleteIndexes';
    const coll = this.requireCollection(ctx, this.collName(ctx, field));
    const was = coll.indexes.length;
    const target = ctx.cmd.index;
    let names: string[];
    if (target === '*') names = coll.indexes.filter((i) => i.name !== '_id_').map((i) => i.name);
    else if (typeof target === 'string') names = [target];
    else if (Array.isArray(target)) names = target.map(String);
    else if (DocumentValues.isPlainObject(target)) {
      const found = coll.indexes.find((i) => DocumentValues.key(i.key) === DocumentValues.key(target));
      if (!found) throw new CommandError(27, 'IndexNotFound', `can't find index with key: ${DocumentValues.describe(target)}`);
      names = [found.name];
    } else throw new CommandError(14, 'TypeMismatch', "'index' must be a string, array or object");
    for (const n of names) {
      if (n === '_id_') throw new CommandError(72, 'InvalidOptions', 'cannot drop _id index');
      if (!coll.findIndex(n)) throw new CommandError(27, 'IndexNotFound', `index not found with name [${n}]`);
    }
    for (const n of names) this.storage.dropIndex(ctx.scope, coll, n);
    return { nIndexesWas: was };
  }

  private create(ctx: Ctx): Doc {
    const name = this.collName(ctx, 'create');
    const options: Doc = {};
    for (const [k, v] of Object.entries(ctx.cmd)) {
      if (k !== 'create' && !k.startsWith('$') && !ENVELOPE_FIELDS.has(k)) options[k] = v;
    }
    this.storage.createCollection(ctx.scope, ctx.db, name, options);
    return {};
  }

  private listCollections(ctx: Ctx): Doc {
    const nameOnly = ctx.cmd.nameOnly === true;
    const entries = this.storage.collectionsOf(ctx.db).map((c) =>
      nameOnly
        ? { name: c.name, type: 'collection' }
        : {
            name: c.name,
            type: 'collection',
            options: c.options,
            info: { readOnly: false, uuid: c.uuid },
            idIndex: { v: 2, key: { _id: 1 }, name: '_id_' },
          },
    );
    const test = QueryEngine.matcher(ctx.cmd.filter);
    return this.cursorReply(ctx, `${ctx.db}.$cmd.listCollections`, entries.filter(test), ctx.cmd.cursor?.batchSize, false);
  }

  private drop(ctx: Ctx): Doc {
    const name = this.collName(ctx, 'drop');
    const coll = this.storage.getCollection(ctx.db, name);
    if (!coll) return { ns: `${ctx.db}.${name}` };
    const nIndexesWas = coll.indexes.length;
    this.storage.dropCollection(ctx.scope, coll);
    return { ns: coll.ns, nIndexesWas };
  }

  private dropDatabase(ctx: Ctx): Doc {
    this.storage.dropDatabase(ctx.scope, ctx.db);
    return { dropped: ctx.db };
  }

  private static approximateSize(colls: StoredCollection[]): number {
    let bytes = 0;
    for (const c of colls) for (const d of c.documents()) bytes += DocumentValues.size(d);
    return bytes;
  }

  private listDatabases(ctx: Ctx): Doc {
    const nameOnly = ctx.cmd.nameOnly === true;
    let totalSize = 0;
    const entries = this.storage.databaseNames().map((name) => {
      if (nameOnly) return { name };
      const sizeOnDisk = CommandHandlers.approximateSize(this.storage.collectionsOf(name));
      totalSize += sizeOnDisk;
      return { name, sizeOnDisk, empty: false };
    });
    const databases = entries.filter(QueryEngine.matcher(ctx.cmd.filter));
    return nameOnly ? { databases } : { databases, totalSize, totalSizeMb: Math.floor(totalSize / 1048576) };
  }

  private dbStats(ctx: Ctx): Doc {
    const colls = this.storage.collectionsOf(ctx.db);
    const dataSize = CommandHandlers.approximateSize(colls);
    const objects = colls.reduce((n, c) => n + c.size, 0);
    return {
      db: ctx.db,
      collections: colls.length,
      views: 0,
      objects,
      dataSize,
      storageSize: dataSize,
      indexes: colls.reduce((n, c) => n + c.indexes.length, 0),
      avgObjSize: objects > 0 ? dataSize / objects : 0,
    };
  }

  private endSessions(ctx: Ctx, field: string): Doc {
    const list = Array.isArray(ctx.cmd[field]) ? (ctx.cmd[field] as Doc[]) : [];
    const keys = list.map((l) => CommandHandlers.sessionKey(l)).filter((k): k is string => k !== null);
    this.txns.abortForSessions(keys);
    return {};
  }
}
