import { UUID } from 'bson';
import { CommandError } from './CommandError';
import { DocumentValues } from './DocumentValues';
import { DuplicateKeyError } from './DuplicateKeyError';
import { SecondaryIndex } from './SecondaryIndex';
import type { Doc, IndexSpec } from './DevMongoServerTypes';
import type { DocumentKeys, StoredRecord } from './SecondaryIndex';

export const ID_INDEX: IndexSpec = { v: 2, key: { _id: 1 }, name: '_id_' };

/** A validated write whose index keys are computed, ready for `applyWrite`. */
export interface PreparedWrite {
  record: StoredRecord;
  doc: Doc;
  /** Keys of `doc` per index slot. */
  keys: Array<DocumentKeys | undefined>;
  /** Whether the record is new (an insert) rather than a new version of a stored one. */
  isNew: boolean;
}

/**
 * One collection: records in natural (insertion) order keyed by the _id key, index definitions,
 * and one SecondaryIndex per index other than _id, kept in step on every put and delete.
 */
export class StoredCollection {
  private readonly records = new Map<string, StoredRecord>();
  readonly indexes: IndexSpec[] = [ID_INDEX];
  readonly uuid = new UUID();
  private readonly secondary = new Map<string, SecondaryIndex>();
  /** Next natural-order ordinal; a Map keeps first-insertion order, and so do ordinals. */
  private nextOrdinal = 0;
  /** Slots are never reused, so a record's keys for a dropped index can never be mistaken for a new one's. */
  private nextSlot = 0;

  constructor(
    readonly db: string,
    readonly name: string,
    readonly options: Doc = {},
  ) {}

  get ns(): string {
    return `${this.db}.${this.name}`;
  }

  get size(): number {
    return this.records.size;
  }

  /** Documents in natural order. */
  *documents(): Generator<Doc> {
    for (const record of this.records.values()) yield record.doc;
  }

  getById(id: unknown): Doc | undefined {
    return this.records.get(DocumentValues.idKey(id))?.doc;
  }

  getRecord(id: unknown): StoredRecord | undefined {
    return this.records.get(DocumentValues.idKey(id));
  }

  secondaryIndexes(): Iterable<SecondaryIndex> {
    return this.secondary.values();
  }

  getSecondaryIndex(name: string): SecondaryIndex | undefined {
    return this.secondary.get(name);
  }

  /**
   * Computes the index keys of `doc` as the new version of its _id's record (or a new record)
   * and, with `check`, throws E11000 if it would collide on _id or any unique index. Must be
   * applied before any other write is prepared, since a new record's ordinal is taken here.
   */
  prepareWrite(doc: Doc, isInsert: boolean, check = true): PreparedWrite {
    const idKey = DocumentValues.idKey(doc._id);
    const existing = this.records.get(idKey);
    if (check && isInsert && existing) {
      throw new DuplicateKeyError(this.ns, '_id_', { _id: 1 }, { _id: doc._id });
    }
    const record: StoredRecord = existing ?? { idKey, doc, ordinal: this.nextOrdinal++, keys: [] };
    const keys: Array<DocumentKeys | undefined> = [];
    for (const index of this.secondary.values()) {
      const k = index.keysFor(doc, record);
      keys[index.slot] = k;
      if (!check) continue;
      const conflict = index.findConflict(k, idKey);
      if (conflict) throw new DuplicateKeyError(this.ns, index.spec.name, index.spec.key, conflict);
    }
    return { record, doc, keys, isNew: !existing };
  }

  applyWrite(write: PreparedWrite): void {
    const { record, keys } = write;
    if (write.isNew) {
      record.keys = keys;
      this.records.set(record.idKey, record);
      for (const index of this.secondary.values()) index.add(keys[index.slot]);
      return;
    }
    for (const index of this.secondary.values()) {
      const before = record.keys[index.slot];
      const after = keys[index.slot];
      // Most updates leave indexed fields alone; the old entries then stay as they are.
      if (SecondaryIndex.sameKeys(before, after)) continue;
      index.remove(before);
      index.add(after);
      record.keys[index.slot] = after;
    }
    record.doc = write.doc;
  }

  /** Stores a document (insert or replace) without checks; keeps the indexes in step. */
  rawPut(doc: Doc): void {
    this.applyWrite(this.prepareWrite(doc, false, false));
  }

  rawDelete(id: unknown): Doc | undefined {
    const idKey = DocumentValues.idKey(id);
    const record = this.records.get(idKey);
    if (!record) return undefined;
    for (const index of this.secondary.values()) index.remove(record.keys[index.slot]);
    this.records.delete(idKey);
    return record.doc;
  }

  findIndex(name: string): IndexSpec | undefined {
    return this.indexes.find((i) => i.name === name);
  }

  /** Adds an index and builds it; a unique index over duplicates already stored is rejected. */
  addIndex(spec: IndexSpec): void {
    if (spec.name === ID_INDEX.name) {
      this.indexes.push(spec);
      return;
    }
    const index = new SecondaryIndex(spec, this.nextSlot++);
    for (const record of this.records.values()) {
      const keys = index.keysFor(record.doc, record);
      const conflict = index.findConflict(keys, record.idKey);
      if (conflict) {
        for (const r of this.records.values()) delete r.keys[index.slot];
        throw new DuplicateKeyError(this.ns, spec.name, spec.key, conflict);
      }
      index.add(keys);
      record.keys[index.slot] = keys;
    }
    this.secondary.set(spec.name, index);
    this.indexes.push(spec);
  }

  removeIndex(name: string): IndexSpec {
    const at = this.indexes.findIndex((i) => i.name === name);
    if (at < 0) throw new CommandError(27, 'IndexNotFound', `index not found with name [${name}]`);
    const [spec] = this.indexes.splice(at, 1);
    const index = this.secondary.get(name);
    if (index) {
      this.secondary.delete(name);
      for (const record of this.records.values()) delete record.keys[index.slot];
    }
    return spec;
  }
}
