import { ObjectId } from 'bson';
import { DocumentValues } from './DocumentValues';
import { IndexKeys, KeyRank } from './IndexKeys';
import type { Doc } from './DevMongoServerTypes';
import type { KeyPart, ProbePart } from './IndexKeys';
import type { IndexEntry, IndexRange, SecondaryIndex, StoredRecord } from './SecondaryIndex';
import type { StoredCollection } from './StoredCollection';

/** What the filter says about one top-level field, in index terms. */
interface FieldBounds {
  /** Equality with one of these values ($eq, $in or a plain value). */
  eq?: KeyPart[];
  lower?: { part: ProbePart; inclusive: boolean };
  upper?: { part: ProbePart; inclusive: boolean };
  /** `$all` of these values: any one of them is an equality the matching documents all share. */
  all?: KeyPart[];
  /** The bounds come from an anchored `$regex` prefix (strings only: usable when the field holds no other-class values). */
  fromRegex?: boolean;
}

/** Visit every document (no usable index). */
export interface ScanPlan {
  kind: 'scan';
}

/** Visit only these records, in natural order; they include every document the filter can match. */
export interface CandidatePlan {
  kind: 'candidates';
  records: StoredRecord[];
  /** Index that produced them ('_id_' for lookups by _id). */
  indexName: string;
  /** The lookup decides the whole filter: every candidate matches, so the matcher can be skipped. */
  exact: boolean;
}

/**
 * Walk one index range in key order: records come out in exactly the order the requested sort
 * gives, so a sort with a limit stops after `skip + limit` matches.
 */
export interface OrderedPlan {
  kind: 'ordered';
  index: SecondaryIndex;
  range: IndexRange;
  /** Index field the sort is on. */
  position: number;
  descending: boolean;
  indexName: string;
  /** As for CandidatePlan. */
  exact: boolean;
}

export type QueryPlan = ScanPlan | CandidatePlan | OrderedPlan;

/** The best way into one index for one set of bounds. */
interface IndexChoice {
  cost: number;
  index: SecondaryIndex;
  ranges: IndexRange[];
  position: number;
  descending: boolean | null;
  ranged: boolean;
}

/** More probe combinations than this ($in on several fields) and the planner stops extending the prefix. */
const MAX_PROBES = 1000;
/** `$all` values the planner tries as the way in (the rest are left to the matcher). */
const MAX_ALL_ALTERNATIVES = 16;
/** Value classes whose index order equals mingo's comparison and sort order. */
const ORDERED_RANKS = new Set<number>([KeyRank.NUMBER, KeyRank.STRING, KeyRank.DATE]);

/**
 * Chooses how to answer a filter (and optionally a sort) from a collection's indexes. A plan
 * only narrows which documents are visited: callers still run the full filter on each of them,
 * so a plan must never leave out a document the matcher would accept. Equality probes are
 * only made for values whose index equality is exactly mingo's (strings, numbers, booleans,
 * ObjectIds, valid dates); indexes holding documents with paths through arrays are not used.
 */
export class IndexQueryPlanner {
  static plan(coll: StoredCollection, filter: Doc | undefined, options: { sort?: Doc; want?: number } = {}): QueryPlan {
    const sort = options.sort && Object.keys(options.sort).length > 0 ? options.sort : undefined;
    const want = options.want ?? 0;
    const hasFilter = !!filter && Object.keys(filter).length > 0;
    if (!hasFilter && !(sort && want > 0)) return { kind: 'scan' };
    const bounds = IndexQueryPlanner.bounds(filter ?? {});

    const byId = IndexQueryPlanner.idPlan(coll, filter ?? {}, bounds.get('_id'));
    if (byId) return byId;

    let best: IndexChoice | null = null;
    // `$all`: each of its values, taken as an equality, is a way in; the cheapest wins.
    for (const alternative of IndexQueryPlanner.allAlternatives(bounds)) {
      const choice = IndexQueryPlanner.cheapestIndex(coll, alternative, sort, want);
      if (choice && (!best || choice.cost < best.cost || (choice.cost === best.cost && choice.descending !== null && best.descending === null))) best = choice;
    }
    if (!best) return { kind: 'scan' };
    const name = best.index.spec.name;
    const exact = IndexQueryPlanner.isExact(filter ?? {}, best.index, best.position, best.ranged);
    if (best.descending !== null) {
      const { index, ranges, position, descending } = best;
      return { kind: 'ordered', index, range: ranges[0], position, descending, indexName: name, exact };
    }
    if (best.cost >= coll.size) return { kind: 'scan' };
    const seen = new Set<StoredRecord>();
    for (const range of best.ranges) for (const entry of best.index.walk(range, false)) seen.add(entry.record);
    return { kind: 'candidates', records: IndexQueryPlanner.naturalOrder(seen), indexName: name, exact };
  }

  /** The bounds as they are, or once per value of the first `$all` (as that field's equality). */
  private static allAlternatives(bounds: Map<string, FieldBounds>): Map<string, FieldBounds>[] {
    for (const [field, b] of bounds) {
      if (!b.all || b.eq) continue;
      return b.all.map((part) => new Map(bounds).set(field, { eq: [part] }));
    }
    return [bounds];
  }

  private static cheapestIndex(coll: StoredCollection, bounds: Map<string, FieldBounds>, sort: Doc | undefined, want: number): IndexChoice | null {
    let best: IndexChoice | null = null;
    for (const index of coll.secondaryIndexes()) {
      if (!index.queryable) continue;
      const fields = index.fields;
      let k = 0;
      let prefixes: KeyPart[][] = [[]];
      while (k < fields.length) {
        const eq = bounds.get(fields[k])?.eq;
        if (!eq || prefixes.length * eq.length > MAX_PROBES) break;
        prefixes = prefixes.flatMap((p) => eq.map((part) => [...p, part]));
        k++;
      }
      let lower: FieldBounds['lower'];
      let upper: FieldBounds['upper'];
      const b = k < fields.length ? bounds.get(fields[k]) : undefined;
      if (b && !b.eq && (b.lower || b.upper)) {
        const rank = (b.lower ?? b.upper)!.part.rank;
        // A regex also matches stored regexes (class OTHER), which a string range leaves out.
        const regexAllowed = !b.fromRegex || index.rankCount(k, KeyRank.OTHER) === 0;
        if (regexAllowed && IndexQueryPlanner.rangeAllowed(index, k, rank)) {
          lower = b.lower ?? { part: { rank, value: 0, edge: -1 }, inclusive: true };
          upper = b.upper ?? { part: { rank, value: 0, edge: 1 }, inclusive: true };
        }
      }
      const hasRange = lower !== undefined;
      const descending = sort && prefixes.length === 1 ? IndexQueryPlanner.walkDirection(index, k, sort, hasRange) : null;
      // Without an equality prefix or a range, only a sort walk with a limit beats a scan.
      if (k === 0 && !hasRange && !(descending !== null && want > 0)) continue;
      const ranges = prefixes.map((prefix) => ({ prefix, lower, upper }));
      let count = 0;
      for (const range of ranges) count += index.countRange(range);
      const cost = descending !== null && want > 0 ? Math.min(count, want) : count;
      if (!best || cost < best.cost || (cost === best.cost && descending !== null && best.descending === null)) {
        best = { cost, index, ranges, position: k, descending, ranged: hasRange };
      }
    }
    return best;
  }

  /**
   * Records of an ordered plan in sort order. Like mingo's stable sort, documents with equal
   * sort values come out in natural order, also for a descending sort.
   */
  static *orderedRecords(plan: OrderedPlan): Generator<StoredRecord> {
    const { index, range, position, descending } = plan;
    const seen = index.hasArrays() ? new Set<StoredRecord>() : null;
    let run: IndexEntry[] = [];
    const flush = function* (): Generator<StoredRecord> {
      if (run.length > 1) run.sort((a, b) => a.record.ordinal - b.record.ordinal);
      for (const entry of run) {
        if (seen) {
          if (seen.has(entry.record)) continue;
          seen.add(entry.record);
        }
        yield entry.record;
      }
    };
    for (const entry of index.walk(range, descending)) {
      if (run.length > 0 && IndexKeys.compareParts(run[0].parts[position], entry.parts[position]) !== 0) {
        yield* flush();
        run = [];
      }
      run.push(entry);
    }
    yield* flush();
  }

  private static naturalOrder(records: Iterable<StoredRecord>): StoredRecord[] {
    return [...records].sort((a, b) => a.ordinal - b.ordinal);
  }

  /** Lookups by _id: a literal value (as before indexes existed) or $eq / $in of simple values. */
  private static idPlan(coll: StoredCollection, filter: Doc, bounds: FieldBounds | undefined): CandidatePlan | null {
    if (!('_id' in filter)) return null;
    const keys = Object.keys(filter);
    const exact = keys.length === 1 && IndexQueryPlanner.isExactEquality(filter._id);
    let ids: unknown[] | null = null;
    if (IndexQueryPlanner.isLiteral(filter._id)) ids = [filter._id];
    else if (bounds?.eq) ids = bounds.eq.map((p) => p.raw);
    if (!ids) return null;
    const found = new Set<StoredRecord>();
    for (const id of ids) {
      const record = coll.getRecord(id);
      if (record) found.add(record);
    }
    return { kind: 'candidates', records: IndexQueryPlanner.naturalOrder(found), indexName: '_id_', exact };
  }

  /** A condition an equality probe decides exactly: a simple value, or a lone $eq / $in of simple values. */
  private static isExactEquality(cond: unknown): boolean {
    if (IndexKeys.probePart(cond)) return true;
    if (!DocumentValues.isPlainObject(cond)) return false;
    const ops = Object.keys(cond);
    if (ops.length !== 1) return false;
    if (ops[0] === '$eq') return IndexKeys.probePart(cond.$eq) !== null;
    return ops[0] === '$in' && Array.isArray(cond.$in) && cond.$in.every((v: unknown) => IndexKeys.probePart(v) !== null);
  }

  /**
   * Whether walking the chosen ranges decides the filter by itself. For an index the planner
   * trusts (no paths through arrays, no nested arrays), entry equality and range membership are
   * exactly mingo's $eq / $in / $gt... on the field, arrays included, so when every condition of
   * the filter is one the ranges encode, the matcher would accept every candidate.
   */
  private static isExact(filter: Doc, index: SecondaryIndex, prefixLength: number, ranged: boolean): boolean {
    for (const [field, cond] of Object.entries(filter)) {
      const position = index.fields.indexOf(field);
      if (position < 0) return false;
      if (position < prefixLength) {
        if (!IndexQueryPlanner.isExactEquality(cond)) return false;
        continue;
      }
      if (position !== prefixLength || !ranged || !DocumentValues.isPlainObject(cond)) return false;
      const ops = Object.keys(cond);
      const lowers = ops.filter((op) => op === '$gt' || op === '$gte');
      const uppers = ops.filter((op) => op === '$lt' || op === '$lte');
      if (lowers.length > 1 || uppers.length > 1 || lowers.length + uppers.length !== ops.length) return false;
      const ranks = ops.map((op) => IndexKeys.probePart(cond[op])?.rank);
      if (!ranks.every((r) => r !== undefined && r === ranks[0] && ORDERED_RANKS.has(r))) return false;
    }
    return true;
  }

  private static isLiteral(v: unknown): boolean {
    if (v === null || typeof v !== 'object') return true;
    if (v instanceof ObjectId || v instanceof Date) return true;
    return DocumentValues.isPlainObject(v) && !Object.keys(v).some((k) => k.startsWith('$'));
  }

  /**
   * Whether a range on field `position` in class `rank` may narrow the visited entries: mingo's
   * $lt/$gt only compare values of the bound's type, but NaN and invalid dates compare as equal
   * to anything, so their presence disables narrowing.
   */
  private static rangeAllowed(index: SecondaryIndex, position: number, rank: number): boolean {
    if (rank === KeyRank.NUMBER) return index.rankCount(position, KeyRank.NAN) === 0;
    if (rank === KeyRank.DATE) return index.rankCount(position, KeyRank.OTHER) === 0;
    return rank === KeyRank.STRING;
  }

  /**
   * The direction to walk `index` from field `position` so entries come out in `sort` order, or
   * null when the index order is not exactly the sort's. Sort keys on equality-bound index fields
   * before `position` are constant and ignored (unless arrays make them vary); the one remaining
   * key must be field `position`, whose values must all be of one ordered class and no arrays.
   */
  private static walkDirection(index: SecondaryIndex, position: number, sort: Doc, hasRange: boolean): boolean | null {
    if (position >= index.fields.length) return null;
    const rest = Object.keys(sort).filter((key) => {
      const j = index.fields.indexOf(key);
      return !(j >= 0 && j < position && !index.hasArrays(j));
    });
    if (rest.length !== 1 || rest[0] !== index.fields[position]) return null;
    const direction = sort[rest[0]];
    if (direction !== 1 && direction !== -1) return null;
    const rank = index.soleRank(position);
    if (rank === null || !ORDERED_RANKS.has(rank) || index.hasArrays(position)) return null;
    // A sparse index lacks documents without the field; only a range (or equality) excludes those anyway.
    if (position === 0 && index.sparse && !hasRange) return null;
    return direction === -1;
  }

  /** Index-usable conditions on top-level fields; conditions under $and/$or/... are left to the matcher. */
  private static bounds(filter: Doc): Map<string, FieldBounds> {
    const out = new Map<string, FieldBounds>();
    for (const [field, cond] of Object.entries(filter)) {
      if (field.startsWith('$')) continue;
      const prefix = IndexQueryPlanner.regexPrefix(cond);
      if (prefix !== null) {
        out.set(field, IndexQueryPlanner.prefixBounds(prefix));
        continue;
      }
      const eq = IndexKeys.probePart(cond);
      if (eq) {
        out.set(field, { eq: [eq] });
        continue;
      }
      if (!DocumentValues.isPlainObject(cond)) continue;
      const ops = Object.keys(cond);
      if (ops.length === 0 || !ops.every((op) => op.startsWith('$'))) continue;
      const b: FieldBounds = {};
      if ('$eq' in cond) {
        const part = IndexKeys.probePart(cond.$eq);
        if (part) b.eq = [part];
      }
      if (!b.eq && Array.isArray(cond.$in)) {
        const parts = (cond.$in as unknown[]).map((v) => IndexKeys.probePart(v));
        if (parts.every((p): p is KeyPart => p !== null)) {
          const distinct = new Map<string, KeyPart>();
          for (const p of parts) distinct.set(`${p.rank}:${p.value}`, p);
          b.eq = [...distinct.values()];
        }
      }
      if (!b.eq && Array.isArray(cond.$all) && cond.$all.length > 0) {
        // Elements that are not simple values ($elemMatch, arrays) leave the choice to the matcher.
        const parts = (cond.$all as unknown[]).map((v) => IndexKeys.probePart(v));
        if (parts.every((p): p is KeyPart => p !== null)) b.all = parts.slice(0, MAX_ALL_ALTERNATIVES);
      }
      for (const op of ops) {
        const isLower = op === '$gt' || op === '$gte';
        const isUpper = op === '$lt' || op === '$lte';
        if (!isLower && !isUpper) continue;
        const part = IndexKeys.probePart(cond[op]);
        if (!part || !ORDERED_RANKS.has(part.rank)) continue;
        const bound = { part, inclusive: op === '$gte' || op === '$lte' };
        if (isLower && !b.lower) b.lower = bound;
        if (isUpper && !b.upper) b.upper = bound;
      }
      // Bounds of two types match nothing in mingo; keep one so the range stays a superset.
      if (b.lower && b.upper && b.lower.part.rank !== b.upper.part.rank) delete b.upper;
      if (b.eq || b.lower || b.upper || b.all) out.set(field, b);
    }
    return out;
  }

  /**
   * The literal prefix of an anchored, case-sensitive regex without alternation (`/^abc/`,
   * `{ $regex: '^abc' }`), or null. Like mongod, only such "prefix expressions" become index ranges.
   */
  private static regexPrefix(cond: unknown): string | null {
    let source: string;
    if (cond instanceof RegExp) {
      if (cond.flags.replace(/[gu]/g, '') !== '') return null;
      source = cond.source;
    } else if (DocumentValues.isPlainObject(cond) && typeof cond.$regex === 'string') {
      const ops = Object.keys(cond);
      if (!ops.every((op) => op === '$regex' || (op === '$options' && cond.$options === ''))) return null;
      source = cond.$regex;
    } else {
      return null;
    }
    if (!source.startsWith('^') || source.includes('|')) return null;
    let prefix = '';
    for (let i = 1; i < source.length; i++) {
      let ch = source[i];
      if (ch === '\\') {
        const next = source[i + 1];
        if (next === undefined || /[0-9A-Za-z]/.test(next)) break;
        ch = next;
        i++;
      } else if ('.^$*+?()[]{}'.includes(ch)) {
        break;
      }
      // A quantifier after it makes the character optional.
      const after = source[i + 1];
      if (after !== undefined && '*?{'.includes(after)) break;
      prefix += ch;
    }
    return prefix === '' ? null : prefix;
  }

  /** Strings starting with `prefix`: [prefix, prefix with its last code unit raised) in code-unit order. */
  private static prefixBounds(prefix: string): FieldBounds {
    const lower = { part: IndexKeys.probePart(prefix)!, inclusive: true };
    const last = prefix.charCodeAt(prefix.length - 1);
    if (last === 0xffff) return { lower, fromRegex: true };
    const above = prefix.slice(0, -1) + String.fromCharCode(last + 1);
    return { lower, upper: { part: IndexKeys.probePart(above)!, inclusive: false }, fromRegex: true };
  }
}
