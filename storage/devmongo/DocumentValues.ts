import { BSON, EJSON, ObjectId } from 'bson';
import type { Doc } from './DevMongoServerTypes';

/** Options used for every BSON decode so stored values have one shape (JS numbers, BSON classes otherwise). */
export const DESERIALIZE_OPTIONS = { promoteLongs: true, promoteValues: true, promoteBuffers: false } as const;
export const SERIALIZE_OPTIONS = { checkKeys: false, ignoreUndefined: true } as const;

export const MAX_BSON_OBJECT_SIZE = 16 * 1024 * 1024;

/** Value helpers on BSON documents: cloning, canonical keys, dotted paths. */
export class DocumentValues {
  /** Deep copy through BSON so BSON classes (ObjectId, Binary, ...) keep their prototypes. */
  static clone<T extends Doc>(doc: T): T {
    return BSON.deserialize(BSON.serialize(doc, SERIALIZE_OPTIONS), DESERIALIZE_OPTIONS) as T;
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

  /** A canonical string for equality of BSON values (used as map keys for _id and unique indexes). */
  static key(value: unknown): string {
    if (value === undefined) value = null;
    return EJSON.stringify({ v: value }, { relaxed: false });
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
