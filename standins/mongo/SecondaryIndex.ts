import { Query } from 'mingo';
import { DocumentValues } from './DocumentValues';
import { IndexKeys, KeyRank } from './IndexKeys';
import { SortedEntryList } from './SortedEntryList';
import type { Doc, IndexSpec } from './DevMongoServerTypes';
import type { KeyPart, ProbePart } from './IndexKeys';
import type { ListPosition } from './SortedEntryList';

/** A stored document with the bookkeeping indexes need; see StoredCollection. */
export interface StoredRecord {
  readonly idKey: string;
  doc: Doc;
  /** Position in natural (insertion) order; fixed for the record's life, so entries stay sorted. */
  readonly ordinal: number;
  /** This record's entries per index slot (undefined: not in that index, e.g. sparse or partial). */
  keys: Array<DocumentKeys | undefined>;
}

/** One index entry: the key (one part per index field) and the record it points to. */
export interface IndexEntry {
  parts: KeyPart[];
  record: StoredRecord;
}

/** Everything one document contributes to one index, kept so removal needs no recomputation. */
export interface DocumentKeys {
  entries: IndexEntry[];
  /** Bit i set when the value of field i is an array (multikey). */
  arrayMask: number;
  /**
   * The path of some field crosses an array or a non-document, or an array holds arrays: the
   * matcher's rules there are not simple element equality, so queries do not trust this index.
   */
  irregular: boolean;
}

/** Bounds of one index range walk: a key prefix plus optional bounds on the next field. */
export interface IndexRange {
  prefix: KeyPart[];
  lower?: { part: ProbePart; inclusive: boolean };
  upper?: { part: ProbePart; inclusive: boolean };
}

const RANK_SLOTS = KeyRank.OTHER + 1;
/** Compound keys with several array fields multiply; mongod refuses them, we just cap the work. */
const MAX_ENTRIES_PER_DOCUMENT = 10_000;

/**
 * One secondary index (any index but _id): a sorted list of (key, natural order) entries kept in
 * step with the collection. It enforces uniqueness, answers equality / $in / range lookups on a
 * key prefix, walks entries in key order for sorts, and finds TTL-expired documents. It also keeps
 * a census of the value classes and arrays seen per field, which tells the planner when the
 * index order is exactly the matcher's order.
 */
export class SecondaryIndex {
  readonly fields: string[];
  private readonly paths: string[][];
  private readonly partial: Query | null;
  private readonly entries = new SortedEntryList<IndexEntry>(SecondaryIndex.compareEntries);
  /** rankCounts[i][rank]: entries whose part i has that rank. */
  private readonly rankCounts: number[][];
  /** arrayDocs[i]: documents whose field i holds an array. */
  private readonly arrayDocs: number[];
  private irregularDocs = 0;

  constructor(
    readonly spec: IndexSpec,
    /** Where this index keeps its entries in StoredRecord.keys. */
    readonly slot: number,
  ) {
    this.fields = Object.keys(spec.key);
    this.paths = this.fields.map((f) => f.split('.'));
    this.partial = spec.partialFilterExpression ? new Query(spec.partialFilterExpression) : null;
    this.rankCounts = this.fields.map(() => new Array<number>(RANK_SLOTS).fill(0));
    this.arrayDocs = this.fields.map(() => 0);
  }

  /** A record that sorts before every stored one, to search for the first entry of a key. */
  private static readonly BEFORE_ALL: StoredRecord = { idKey: '', doc: {}, ordinal: -1, keys: [] };

  static compareEntries(a: IndexEntry, b: IndexEntry): number {
    return IndexKeys.compareKeys(a.parts, b.parts) || a.record.ordinal - b.record.ordinal;
  }

  get unique(): boolean {
    return !!this.spec.unique;
  }

  get sparse(): boolean {
    return !!this.spec.sparse;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Whether query plans may use this index: a partial index lacks documents, an irregular one has unclear semantics. */
  get queryable(): boolean {
    return this.partial === null && this.irregularDocs === 0;
  }

  /** Whether some document holds an array in field `position` (or, without a position, in any field). */
  hasArrays(position?: number): boolean {
    if (position !== undefined) return this.arrayDocs[position] > 0;
    return this.arrayDocs.some((n) => n > 0);
  }

  rankCount(position: number, rank: number): number {
    return this.rankCounts[position][rank];
  }

  /** The single value class of field `position` across all entries, or null when there are several (or none). */
  soleRank(position: number): number | null {
    let found: number | null = null;
    const counts = this.rankCounts[position];
    for (let rank = 0; rank < RANK_SLOTS; rank++) {
      if (counts[rank] === 0) continue;
      if (found !== null) return null;
      found = rank;
    }
    return found;
  }

  /** Reads one indexed field, noting arrays and paths the matcher treats specially. */
  private read(doc: Doc, i: number, flags: { irregular: boolean }): unknown {
    const path = this.paths[i];
    let cur: unknown = doc;
    for (let j = 0; j < path.length; j++) {
      if (j > 0) {
        if (cur === null || cur === undefined) return undefined;
        if (!DocumentValues.isPlainObject(cur)) {
          flags.irregular = true;
          return DocumentValues.getPath(doc, this.fields[i]);
        }
      }
      cur = (cur as Doc)[path[j]];
    }
    return cur;
  }

  /** The entries `doc` contributes as the document of `record`, or undefined when the index skips it (sparse / partial). */
  keysFor(doc: Doc, record: StoredRecord): DocumentKeys | undefined {
    const n = this.fields.length;
    const flags = { irregular: false };
    let arrayMask = 0;
    let allMissing = true;
    let multi = false;
    const options: KeyPart[][] = new Array(n);
    const single: KeyPart[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const raw = this.read(doc, i, flags);
      if (raw !== undefined) allMissing = false;
      if (Array.isArray(raw)) {
        arrayMask |= 1 << i;
        multi = true;
        if (raw.length === 0) options[i] = [IndexKeys.NULL_PART];
        else {
          options[i] = raw.map((el) => {
            if (Array.isArray(el)) flags.irregular = true;
            return IndexKeys.part(el);
          });
        }
      } else {
        single[i] = IndexKeys.part(raw);
        options[i] = [single[i]];
      }
    }
    if (this.spec.sparse && allMissing) return undefined;
    if (this.partial && !this.partial.test(doc)) return undefined;
    if (!multi) return { entries: [{ parts: single, record }], arrayMask, irregular: flags.irregular };
    // Multikey: one entry per distinct combination of array elements.
    let combos: KeyPart[][] = [[]];
    for (const opts of options) {
      const next: KeyPart[][] = [];
      for (const c of combos) {
        for (const o of opts) {
          // Past the cap the entries are incomplete, so queries must not trust this index meanwhile.
          if (next.length === MAX_ENTRIES_PER_DOCUMENT) flags.irregular = true;
          else next.push([...c, o]);
        }
      }
      combos = next;
    }
    const entries: IndexEntry[] = [];
    for (const parts of combos) {
      if (!entries.some((e) => IndexKeys.equalKeys(e.parts, parts))) entries.push({ parts, record });
    }
    return { entries, arrayMask, irregular: flags.irregular };
  }

  /** For a unique index: the key value (as in E11000 keyValue) another document already owns, if any. */
  findConflict(keys: DocumentKeys | undefined, idKey: string): Doc | null {
    if (!this.unique || !keys) return null;
    for (const entry of keys.entries) {
      const probe = entry.parts;
      // Ordinals are >= 0, so this finds the first entry with an equal key, if there is one.
      const from = this.entries.positionOf({ parts: probe, record: SecondaryIndex.BEFORE_ALL });
      let taken = false;
      this.entries.scan(from, (other) => {
        if (IndexKeys.compareKeys(other.parts, probe) !== 0) return false;
        taken = other.record.idKey !== idKey;
        return !taken;
      });
      if (taken) {
        const value: Doc = {};
        this.fields.forEach((f, i) => (value[f] = probe[i].raw === undefined ? null : probe[i].raw));
        return value;
      }
    }
    return null;
  }

  add(keys: DocumentKeys | undefined): void {
    if (!keys) return;
    for (const entry of keys.entries) {
      this.entries.insert(entry);
      for (let i = 0; i < entry.parts.length; i++) this.rankCounts[i][entry.parts[i].rank]++;
    }
    for (let i = 0; i < this.fields.length; i++) if (keys.arrayMask & (1 << i)) this.arrayDocs[i]++;
    if (keys.irregular) this.irregularDocs++;
  }

  remove(keys: DocumentKeys | undefined): void {
    if (!keys) return;
    for (const entry of keys.entries) {
      if (!this.entries.remove(entry)) continue;
      for (let i = 0; i < entry.parts.length; i++) this.rankCounts[i][entry.parts[i].rank]--;
    }
    for (let i = 0; i < this.fields.length; i++) if (keys.arrayMask & (1 << i)) this.arrayDocs[i]--;
    if (keys.irregular) this.irregularDocs--;
  }

  /** Whether two key sets of the same record would leave the index unchanged. */
  static sameKeys(a: DocumentKeys | undefined, b: DocumentKeys | undefined): boolean {
    if (!a || !b) return a === b;
    if (a.arrayMask !== b.arrayMask || a.irregular !== b.irregular || a.entries.length !== b.entries.length) return false;
    for (let i = 0; i < a.entries.length; i++) if (!IndexKeys.equalKeys(a.entries[i].parts, b.entries[i].parts)) return false;
    return true;
  }

  /** The [from, to) positions of the entries inside a range. */
  locate(range: IndexRange): { from: ListPosition; to: ListPosition } {
    const { prefix, lower, upper } = range;
    const low = lower ? [...prefix, lower.part] : prefix;
    const high = upper ? [...prefix, upper.part] : prefix;
    const lowInclusive = lower ? lower.inclusive : true;
    const highInclusive = upper ? upper.inclusive : true;
    const from = this.entries.lowerBound((e) => {
      const c = IndexKeys.compareToProbe(e.parts, low);
      return lowInclusive ? c >= 0 : c > 0;
    });
    const to = this.entries.lowerBound((e) => {
      const c = IndexKeys.compareToProbe(e.parts, high);
      return highInclusive ? c > 0 : c >= 0;
    });
    return { from, to };
  }

  countRange(range: IndexRange): number {
    const { from, to } = this.locate(range);
    return this.entries.countBetween(from, to);
  }

  /** Entries of a range in key order (or reverse key order). */
  walk(range: IndexRange, descending: boolean): Generator<IndexEntry> {
    const { from, to } = this.locate(range);
    return descending ? this.entries.backward(from, to) : this.entries.forward(from, to);
  }

  /** Records with a date in field 0 at or before `cutoffMs` (what a TTL index expires), in natural order. */
  recordsWithDateUpTo(cutoffMs: number): StoredRecord[] {
    const range: IndexRange = {
      prefix: [],
      lower: { part: { rank: KeyRank.DATE, value: 0, edge: -1 }, inclusive: true },
      upper: { part: { rank: KeyRank.DATE, value: cutoffMs }, inclusive: true },
    };
    const seen = new Set<StoredRecord>();
    for (const entry of this.walk(range, false)) seen.add(entry.record);
    return [...seen].sort((a, b) => a.ordinal - b.ordinal);
  }
}
