import { CommandError } from './CommandError';
import { DocumentValues, MAX_BSON_OBJECT_SIZE } from './DocumentValues';
import { ID_INDEX, StoredCollection } from './StoredCollection';
import type { Doc, DevMongoLogger, IndexSpec, JournalRecord } from './DevMongoServerTypes';
import type { WriteScope } from './WriteScope';

/**
 * All databases and collections in memory. Every mutation goes through a WriteScope so it is
 * journaled (or held by the transaction) and can be undone; replay uses `apply` instead.
 */
export class StorageEngine {
  private readonly dbs = new Map<string, Map<string, StoredCollection>>();

  constructor(private readonly logger: DevMongoLogger) {}

  getCollection(db: string, name: string): StoredCollection | undefined {
    return this.dbs.get(db)?.get(name);
  }

  collectionsOf(db: string): StoredCollection[] {
    return [...(this.dbs.get(db)?.values() ?? [])];
  }

  databaseNames(): string[] {
    return [...this.dbs.entries()].filter(([, colls]) => colls.size > 0).map(([name]) => name);
  }

  allCollections(): StoredCollection[] {
    return [...this.dbs.values()].flatMap((m) => [...m.values()]);
  }

  static validateName(db: string, name: string): void {
    if (!db || /[/\\. "$\0]/.test(db)) throw new CommandError(73, 'InvalidNamespace', `Invalid database name: '${db}'`);
    if (!name || name.includes('\0') || name.includes('$') || name.startsWith('.')) {
      throw new CommandError(73, 'InvalidNamespace', `Invalid collection name: '${name}'`);
    }
  }

  private insertCollectionObject(coll: StoredCollection): void {
    let colls = this.dbs.get(coll.db);
    if (!colls) this.dbs.set(coll.db, (colls = new Map()));
    colls.set(coll.name, coll);
  }

  private removeCollectionObject(db: string, name: string): void {
    const colls = this.dbs.get(db);
    colls?.delete(name);
    if (colls && colls.size === 0) this.dbs.delete(db);
  }

  ensureCollection(scope: WriteScope, db: string, name: string, options: Doc = {}): StoredCollection {
    const existing = this.getCollection(db, name);
    if (existing) return existing;
    StorageEngine.validateName(db, name);
    const coll = new StoredCollection(db, name, options);
    this.insertCollectionObject(coll);
    scope.record({ op: 'createColl', db, coll: name, options }, () => this.removeCollectionObject(db, name));
    return coll;
  }

  createCollection(scope: WriteScope, db: string, name: string, options: Doc): StoredCollection {
    if (this.getCollection(db, name)) throw new CommandError(48, 'NamespaceExists', `Collection ${db}.${name} already exists.`);
    return this.ensureCollection(scope, db, name, options);
  }

  private static checkSize(doc: Doc): void {
    const size = DocumentValues.size(doc);
    if (size > MAX_BSON_OBJECT_SIZE) {
      throw new CommandError(10334, 'BSONObjectTooLarge', `object to insert too large. size in bytes: ${size}, max size: ${MAX_BSON_OBJECT_SIZE}`);
    }
  }

  insert(scope: WriteScope, coll: StoredCollection, doc: Doc): void {
    if (Array.isArray(doc._id)) throw new CommandError(2, 'BadValue', `can't use an array for _id`);
    StorageEngine.checkSize(doc);
    coll.applyWrite(coll.prepareWrite(doc, true));
    scope.record(
      { op: 'put', db: coll.db, coll: coll.name, doc },
      () => coll.rawDelete(doc._id),
      { operationType: 'insert', db: coll.db, coll: coll.name, documentKey: { _id: doc._id }, fullDocument: doc },
    );
  }

  /** Replaces a stored document by a new version with the same _id. */
  replace(scope: WriteScope, coll: StoredCollection, oldDoc: Doc, newDoc: Doc, kind: 'update' | 'replace'): void {
    StorageEngine.checkSize(newDoc);
    coll.applyWrite(coll.prepareWrite(newDoc, false));
    const event =
      kind === 'replace'
        ? { operationType: 'replace' as const, db: coll.db, coll: coll.name, documentKey: { _id: newDoc._id }, fullDocument: newDoc }
        : {
            operationType: 'update' as const,
            db: coll.db,
            coll: coll.name,
            documentKey: { _id: newDoc._id },
            updateDescription: StorageEngine.describeUpdate(oldDoc, newDoc),
          };
    scope.record({ op: 'put', db: coll.db, coll: coll.name, doc: newDoc }, () => coll.rawPut(oldDoc), event);
  }

  remove(scope: WriteScope, coll: StoredCollection, doc: Doc): void {
    coll.rawDelete(doc._id);
    scope.record({ op: 'del', db: coll.db, coll: coll.name, id: doc._id }, () => coll.rawPut(doc), {
      operationType: 'delete',
      db: coll.db,
      coll: coll.name,
      documentKey: { _id: doc._id },
    });
  }

  createIndex(scope: WriteScope, coll: StoredCollection, spec: IndexSpec): void {
    coll.addIndex(spec);
    scope.record({ op: 'createIndex', db: coll.db, coll: coll.name, spec }, () => coll.removeIndex(spec.name));
  }

  dropIndex(scope: WriteScope, coll: StoredCollection, name: string): void {
    const spec = coll.removeIndex(name);
    scope.record({ op: 'dropIndex', db: coll.db, coll: coll.name, name }, () => coll.addIndex(spec));
  }

  dropCollection(scope: WriteScope, coll: StoredCollection): void {
    this.removeCollectionObject(coll.db, coll.name);
    scope.record({ op: 'dropColl', db: coll.db, coll: coll.name }, () => this.insertCollectionObject(coll));
  }

  dropDatabase(scope: WriteScope, db: string): void {
    const colls = this.dbs.get(db);
    if (!colls) return;
    this.dbs.delete(db);
    scope.record({ op: 'dropDb', db }, () => this.dbs.set(db, colls));
  }

  /** Top-level diff in the shape of a change event's updateDescription. */
  static describeUpdate(oldDoc: Doc, newDoc: Doc): { updatedFields: Doc; removedFields: string[]; truncatedArrays: unknown[] } {
    const updatedFields: Doc = {};
    const removedFields: string[] = [];
    for (const [k, v] of Object.entries(newDoc)) {
      if (!(k in oldDoc) || !DocumentValues.sameValue(oldDoc[k], v)) updatedFields[k] = v;
    }
    for (const k of Object.keys(oldDoc)) if (!(k in newDoc)) removedFields.push(k);
    return { updatedFields, removedFields, truncatedArrays: [] };
  }

  /** Applies one journal record during replay; records are trusted, so no constraint checks. */
  apply(rec: JournalRecord): void {
    switch (rec.op) {
      case 'createColl':
        if (!this.getCollection(rec.db, rec.coll)) this.insertCollectionObject(new StoredCollection(rec.db, rec.coll, rec.options ?? {}));
        return;
      case 'dropColl':
        this.removeCollectionObject(rec.db, rec.coll);
        return;
      case 'dropDb':
        this.dbs.delete(rec.db);
        return;
      case 'createIndex': {
        const coll = this.replayCollection(rec.db, rec.coll);
        if (coll.findIndex(rec.spec.name)) return;
        try {
          coll.addIndex(rec.spec);
        } catch (err) {
          this.logger.warn?.({ err, index: rec.spec.name }, 'devmongo could not rebuild an index during replay');
        }
        return;
      }
      case 'dropIndex': {
        const coll = this.getCollection(rec.db, rec.coll);
        if (coll?.findIndex(rec.name)) coll.removeIndex(rec.name);
        return;
      }
      case 'put':
        this.replayCollection(rec.db, rec.coll).rawPut(rec.doc);
        return;
      case 'del':
        this.getCollection(rec.db, rec.coll)?.rawDelete(rec.id);
        return;
      default:
        return;
    }
  }

  private replayCollection(db: string, name: string): StoredCollection {
    let coll = this.getCollection(db, name);
    if (!coll) {
      coll = new StoredCollection(db, name);
      this.insertCollectionObject(coll);
    }
    return coll;
  }

  /** The whole state as records, for a snapshot. */
  *dump(): Iterable<JournalRecord> {
    for (const coll of this.allCollections()) {
      yield { op: 'createColl', db: coll.db, coll: coll.name, options: coll.options };
      for (const spec of coll.indexes) if (spec.name !== ID_INDEX.name) yield { op: 'createIndex', db: coll.db, coll: coll.name, spec };
      for (const doc of coll.documents()) yield { op: 'put', db: coll.db, coll: coll.name, doc };
    }
  }
}
