import { EJSON, ObjectId } from 'bson';

/**
 * Type classes of index key parts, in the order index entries are sorted. The order across
 * classes is internal (any total order works for lookups); within NUMBER, STRING and DATE it is
 * the order mingo sorts by, which ordered index walks rely on.
 */
export const KeyRank = {
  /** Missing field, null, undefined and the empty array (they collide in unique indexes). */
  NULL: 1,
  NAN: 2,
  NUMBER: 3,
  STRING: 4,
  OBJECT_ID: 5,
  BOOLEAN: 6,
  /** Valid dates only; an invalid Date is OTHER. */
  DATE: 7,
  /** Everything else (sub-documents, Binary, Decimal128, RegExp, ...), ordered by canonical EJSON. */
  OTHER: 8,
} as const;

/** One field's value in an index entry: its type class, a primitive to order by, and the raw value. */
export interface KeyPart {
  rank: number;
  value: number | string;
  raw: unknown;
}

/**
 * A bound used to search entries: a key part, or the lowest (edge -1) / highest (edge 1) possible
 * value of a type class, to delimit "all numbers" and the like.
 */
export interface ProbePart {
  rank: number;
  value: number | string;
  edge?: -1 | 1;
}

/** Encoding and ordering of index key parts. */
export class IndexKeys {
  static readonly NULL_PART: KeyPart = { rank: KeyRank.NULL, value: 0, raw: null };

  /** The key part of one (non-array) value. */
  static part(raw: unknown): KeyPart {
    switch (typeof raw) {
      case 'string':
        return { rank: KeyRank.STRING, value: raw, raw };
      case 'number':
        // -0 and 0 are the same key, as in mongod; NaN gets its own class so it never sits among numbers.
        return Number.isNaN(raw) ? { rank: KeyRank.NAN, value: 0, raw } : { rank: KeyRank.NUMBER, value: raw === 0 ? 0 : raw, raw };
      case 'boolean':
        return { rank: KeyRank.BOOLEAN, value: raw ? 1 : 0, raw };
      case 'undefined':
        return IndexKeys.NULL_PART;
      default:
        break;
    }
    if (raw === null) return IndexKeys.NULL_PART;
    if (raw instanceof ObjectId) return { rank: KeyRank.OBJECT_ID, value: raw.toHexString(), raw };
    if (raw instanceof Date) {
      const ms = raw.getTime();
      if (!Number.isNaN(ms)) return { rank: KeyRank.DATE, value: ms, raw };
    }
    return { rank: KeyRank.OTHER, value: EJSON.stringify({ v: raw } as never, { relaxed: false }), raw };
  }

  /**
   * The key part of a query value whose index equality is exactly mingo's equality, or null when
   * the value needs the matcher's general rules (null, regular expressions, arrays, documents, ...).
   */
  static probePart(value: unknown): KeyPart | null {
    if (value === null || value === undefined) return null;
    const t = typeof value;
    if (t !== 'string' && t !== 'number' && t !== 'boolean' && !(value instanceof ObjectId) && !(value instanceof Date)) return null;
    const part = IndexKeys.part(value);
    return part.rank === KeyRank.OTHER ? null : part;
  }

  static compareParts(a: ProbePart, b: ProbePart): number {
    if (a.rank !== b.rank) return a.rank - b.rank;
    if (b.edge) return a.edge === b.edge ? 0 : -b.edge;
    if (a.edge) return a.edge;
    const x = a.value;
    const y = b.value;
    return x < y ? -1 : x > y ? 1 : 0;
  }

  /** Orders two entry keys of the same index (no edges: the write path's comparison). */
  static compareKeys(a: KeyPart[], b: KeyPart[]): number {
    for (let i = 0; i < a.length; i++) {
      const x = a[i];
      const y = b[i];
      if (x.rank !== y.rank) return x.rank - y.rank;
      if (x.value !== y.value) return x.value < y.value ? -1 : 1;
    }
    return 0;
  }

  /** Compares the first `probe.length` parts of an entry key with a probe. */
  static compareToProbe(parts: KeyPart[], probe: ProbePart[]): number {
    for (let i = 0; i < probe.length; i++) {
      const c = IndexKeys.compareParts(parts[i], probe[i]);
      if (c !== 0) return c;
    }
    return 0;
  }

  static equalKeys(a: KeyPart[], b: KeyPart[]): boolean {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (IndexKeys.compareParts(a[i], b[i]) !== 0) return false;
    return true;
  }
}
