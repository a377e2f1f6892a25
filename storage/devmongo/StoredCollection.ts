import { UUID } from 'bson';
import { CommandError } from './CommandError';
import { DocumentValues } from './DocumentValues';
import { DuplicateKeyError } from './DuplicateKeyError';
import { UniqueIndex } from './UniqueIndex';
import type { Doc, IndexSpec } from './DevMongoServerTypes';

export const ID_INDEX: IndexSpec = { v: 2, key: { _id: 1 }, name: '_id_' };

/** One collection: documents in insertion order keyed by canonical _id, plus index definitions. */
export class StoredCollection {
  readonly docs = new Map<string, Doc>();
  readonly indexes: IndexSpec[] = [ID_INDEX];
  readonly uuid = new UUID();
  private readonly uniques = new Map<string, UniqueIndex>();

  constructor(
    readonly db: string,
    readonly name: string,
    readonly options: Doc = {},
  ) {}

  get ns(): string {
    return `${this.db}.${this.name}`;
  }

  getById(id: unknown): Doc | undefined {
    return this.docs.get(DocumentValues.key(id));
  }

  /** Throws E11000 if `doc` would collide with another document on _id or any unique index. */
  checkWrite(doc: Doc, isInsert: boolean): void {
    const idKey = DocumentValues.key(doc._id);
    if (isInsert && this.docs.has(idKey)) {
      throw new DuplicateKeyError(this.ns, '_id_', { _id: 1 }, { _id: doc._id });
    }
    for (const index of this.uniques.values()) {
      const conflict = index.findConflict(doc, idKey);
      if (conflict) throw new DuplicateKeyError(this.ns, index.spec.name, index.spec.key, conflict);
    }
  }

  /** Stores a document (insert or replace) without checks; keeps unique indexes in step. */
  rawPut(doc: Doc): void {
    const idKey = DocumentValues.key(doc._id);
    const old = this.docs.get(idKey);
    if (old) for (const index of this.uniques.values()) index.remove(old, idKey);
    this.docs.set(idKey, doc);
    for (const index of this.uniques.values()) index.add(doc, idKey);
  }

  rawDelete(id: unknown): Doc | undefined {
    const idKey = DocumentValues.key(id);
    const old = this.docs.get(idKey);
    if (!old) return undefined;
    for (const index of this.uniques.values()) index.remove(old, idKey);
    this.docs.delete(idKey);
    return old;
  }

  findIndex(name: string): IndexSpec | undefined {
    return this.indexes.find((i) => i.name === name);
  }

  /** Adds an index definition; a unique index is built first so duplicates already stored reject it. */
  addIndex(spec: IndexSpec): void {
    if (spec.unique && spec.name !== '_id_') {
      const index = new UniqueIndex(spec);
      for (const [idKey, doc] of this.docs) {
        const conflict = index.findConflict(doc, idKey);
        if (conflict) throw new DuplicateKeyError(this.ns, spec.name, spec.key, conflict);
        index.add(doc, idKey);
      }
      this.uniques.set(spec.name, index);
    }
    this.indexes.push(spec);
  }

  removeIndex(name: string): IndexSpec {
    const at = this.indexes.findIndex((i) => i.name === name);
    if (at < 0) throw new CommandError(27, 'IndexNotFound', `index not found with name [${name}]`);
    const [spec] = this.indexes.splice(at, 1);
    this.uniques.delete(name);
    return spec;
  }
}
