import { BSON, EJSON, ObjectId } from 'bson';
import type { Doc } from './DevMongoServerTypes';

/** Options used for every BSON decode so stored values have one shape (JS numbers, BSON classes otherwise). */
export const DESERIALIZE_OPTIONS = { promoteLongs: true, promoteValues: true, promoteBuffers: false } as const;
export const SERIALIZE_OPTIONS = { checkKeys: false, ignoreUndefined: true } as const;

export const MAX_BSON_OBJECT_SIZE = 16 * 1024 * 1024;

/** Value helpers on BSON documents: cloning, canonical keys, dotted paths. */
export class DocumentValues {
  /**
   * Deep copy of documents and arrays with the result a BSON round trip would give (undefined
   * fields dropped, undefined array items null). BSON value classes (ObjectId, Binary, Long, ...)
   * are immutable and shared; anything else unusual still goes through BSON.
   */
  static clone<T extends Doc>(doc: T): T {
    return DocumentValues.copyValue(doc) as T;
  }

  private static copyValue(value: unknown): unknown {
    if (value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) {
      const out = new Array(value.length);
      for (let i = 0; i < value.length; i++) out[i] = value[i] === undefined ? null : DocumentValues.copyValue(value[i]);
      return out;
    }
    if (value instanceof Date) return new Date(value.getTime());
    if (DocumentValues.isPlainObject(value)) {
      const out: Doc = {};
      for (const k of Object.keys(value)) {
        const v = value[k];
        if (v !== undefined) out[k] = DocumentValues.copyValue(v);
      }
      return out;
    }
    if (typeof (value as { _bsontype?: unknown })._bsontype === 'string') return value;
    return BSON.deserialize(BSON.serialize({ v: value }, SERIALIZE_OPTIONS), DESERIALIZE_OPTIONS).v;
  }

  static bytes(doc: Doc): Uint8Array {
    return BSON.serialize(doc, SERIALIZE_OPTIONS);
  }

  static size(doc: Doc): number {
    return BSON.calculateObjectSize(doc, SERIALIZE_OPTIONS);
  }

  static sameBytes(a: Doc, b: Doc): boolean {
    return Buffer.from(DocumentValues.bytes(a)).equals(Buffer.from(DocumentValues.bytes(b)));
  }

  /**
   * Whether two values would serialize to the same BSON bytes (same field order, types and
   * values), without serializing the common shapes.
   */
  static sameValue(a: unknown, b: unknown): boolean {
    if (typeof a === 'number' || typeof b === 'number') return Object.is(a, b);
    if (a === b) return true;
    if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') {
      // BSON drops undefined fields and writes undefined array items as null.
      return (a === null || a === undefined) && (b === null || b === undefined);
    }
    if (Array.isArray(a) || Array.isArray(b)) {
      if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
      for (let i = 0; i < a.length; i++) if (!DocumentValues.sameValue(a[i], b[i])) return false;
      return true;
    }
    if (a instanceof Date || b instanceof Date) {
      return a instanceof Date && b instanceof Date && Object.is(a.getTime(), b.getTime());
    }
    if (a instanceof ObjectId || b instanceof ObjectId) return a instanceof ObjectId && b instanceof ObjectId && a.equals(b);
    if (DocumentValues.isPlainObject(a) && DocumentValues.isPlainObject(b)) {
      const ka = Object.keys(a).filter((k) => a[k] !== undefined);
      const kb = Object.keys(b).filter((k) => b[k] !== undefined);
      if (ka.length !== kb.length) return false;
      for (let i = 0; i < ka.length; i++) {
        if (ka[i] !== kb[i] || !DocumentValues.sameValue(a[ka[i]], b[kb[i]])) return false;
      }
      return true;
    }
    return DocumentValues.sameBytes({ v: a }, { v: b });
  }

  /** A canonical string for equality of BSON values (used as map keys for _id and unique indexes). */
  static key(value: unknown): string {
    if (value === undefined) value = null;
    return EJSON.stringify({ v: value }, { relaxed: false });
  }

  /**
   * The key of an _id in a collection's record map: equal for equal BSON values, cheap for the
   * usual _id types (ObjectId, string, number); other types use the canonical EJSON key.
   */
  static idKey(id: unknown): string {
    if (typeof id === 'string') return `s${id}`;
    // String(-0) is "0": like mongod, -0 and 0 are the same _id.
    if (typeof id === 'number') return `n${String(id)}`;
    if (id instanceof ObjectId) return `o${id.toHexString()}`;
    return `j${DocumentValues.key(id)}`;
  }

  /** Short mongod-like rendering, e.g. `{ email: "a@b" }`. */
  static describe(doc: Doc): string {
    const parts = Object.entries(doc).map(([k, v]) => `${k}: ${DocumentValues.renderValue(v)}`);
    return parts.length === 0 ? '{}' : `{ ${parts.join(', ')} }`;
  }

  private static renderValue(v: unknown): string {
    if (v instanceof ObjectId) return `ObjectId('${v.toHexString()}')`;
    if (v instanceof Date) return `new Date(${v.getTime()})`;
    if (typeof v === 'string') return JSON.stringify(v);
    try {
      return EJSON.stringify(v as never, { relaxed: true });
    } catch {
      return String(v);
    }
  }

  static getPath(doc: unknown, path: string): unknown {
    let cur: unknown = doc;
    for (const part of path.split('.')) {
      if (cur === null || cur === undefined) return undefined;
      if (Array.isArray(cur) && !/^\d+$/.test(part)) {
        // Multikey path: collect the field from each element.
        const vals = cur.map((el) => DocumentValues.getPath(el, part)).filter((x) => x !== undefined);
        return vals.length === 0 ? undefined : vals.flat();
      }
      if (typeof cur !== 'object') return undefined;
      cur = (cur as Doc)[part];
    }
    return cur;
  }

  static setPath(doc: Doc, path: string, value: unknown): void {
    const parts = path.split('.');
    let cur: Doc = doc;
    for (let i = 0; i < parts.length - 1; i++) {
      const p = parts[i];
      if (cur[p] === null || typeof cur[p] !== 'object') cur[p] = {};
      cur = cur[p];
    }
    cur[parts[parts.length - 1]] = value;
  }

  /** Returns the document with `_id` as its first field, as mongod stores it. */
  static idFirst(doc: Doc): Doc {
    if (Object.keys(doc)[0] === '_id' || !('_id' in doc)) return doc;
    const { _id, ...rest } = doc;
    return { _id, ...rest };
  }

  static isPlainObject(v: unknown): v is Doc {
    return v !== null && typeof v === 'object' && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
  }
}
