import { Query } from 'mingo';
import { DocumentValues } from './DocumentValues';
import type { Doc, IndexSpec } from './DevMongoServerTypes';

interface IndexKeys {
  keys: string[];
  values: Doc[];
}

/** In-memory enforcement of one unique (possibly compound, sparse or partial) index: index key -> owning _id key. */
export class UniqueIndex {
  private readonly owners = new Map<string, string>();
  private readonly fields: string[];
  private readonly partial: Query | null;

  constructor(readonly spec: IndexSpec) {
    this.fields = Object.keys(spec.key);
    this.partial = spec.partialFilterExpression ? new Query(spec.partialFilterExpression) : null;
  }

  /** Index keys of a document, or null when the document is not in the index (sparse / partial). */
  private keysFor(doc: Doc): IndexKeys | null {
    const raw = this.fields.map((f) => DocumentValues.getPath(doc, f));
    if (this.spec.sparse && raw.every((v) => v === undefined)) return null;
    if (this.partial && !this.partial.test(doc)) return null;
    // Arrays are multikey: each element is its own index entry, combined across fields.
    let combos: unknown[][] = [[]];
    for (const v of raw) {
      const options = Array.isArray(v) ? (v.length === 0 ? [undefined] : v) : [v];
      combos = combos.flatMap((c) => options.map((o) => [...c, o]));
    }
    const seen = new Set<string>();
    const keys: string[] = [];
    const values: Doc[] = [];
    for (const combo of combos) {
      const k = DocumentValues.key(combo);
      if (seen.has(k)) continue;
      seen.add(k);
      keys.push(k);
      const value: Doc = {};
      this.fields.forEach((f, i) => (value[f] = combo[i] === undefined ? null : combo[i]));
      values.push(value);
    }
    return { keys, values };
  }

  /** The conflicting key value if `doc` (owned by idKey) would duplicate another document's entry. */
  findConflict(doc: Doc, idKey: string): Doc | null {
    const k = this.keysFor(doc);
    if (!k) return null;
    for (let i = 0; i < k.keys.length; i++) {
      const owner = this.owners.get(k.keys[i]);
      if (owner !== undefined && owner !== idKey) return k.values[i];
    }
    return null;
  }

  add(doc: Doc, idKey: string): void {
    const k = this.keysFor(doc);
    if (k) for (const key of k.keys) this.owners.set(key, idKey);
  }

  remove(doc: Doc, idKey: string): void {
    const k = this.keysFor(doc);
    if (!k) return;
    for (const key of k.keys) if (this.owners.get(key) === idKey) this.owners.delete(key);
  }
}
