import { DocumentValues } from './DocumentValues';
import type { Doc } from './DevMongoServerTypes';

/**
 * MongoDB documents `{ f: { $all: [a, b] } }` as `{ $and: [{ f: a }, { f: b }] }`, so a field
 * holding the single value `a` (not an array) matches `$all: [a]`; mingo requires an array. This
 * rewrites `$all` lists of plain values (not `$elemMatch` clauses) into that `$and`, at the top
 * level and inside `$and` / `$or` / `$nor`, before the filter reaches mingo. `$all: []` is left
 * alone (it matches nothing on both).
 */
export class AllOperator {
  static rewrite(filter: Doc): Doc {
    let changed = false;
    const out: Doc = {};
    const and: Doc[] = [];
    for (const [key, cond] of Object.entries(filter)) {
      if ((key === '$and' || key === '$or' || key === '$nor') && Array.isArray(cond)) {
        out[key] = cond.map((c) => (DocumentValues.isPlainObject(c) ? AllOperator.rewrite(c) : c));
        changed = true;
        continue;
      }
      if (!key.startsWith('$') && DocumentValues.isPlainObject(cond) && Array.isArray(cond.$all) && cond.$all.length > 0 && cond.$all.every(AllOperator.isPlainValue)) {
        const { $all, ...rest } = cond;
        for (const value of $all as unknown[]) and.push({ [key]: { $eq: value } });
        if (Object.keys(rest).length > 0) out[key] = rest;
        changed = true;
        continue;
      }
      out[key] = cond;
    }
    if (!changed) return filter;
    if (and.length) out.$and = [...(Array.isArray(out.$and) ? (out.$and as Doc[]) : []), ...and];
    return out;
  }

  private static isPlainValue(value: unknown): boolean {
    return !(DocumentValues.isPlainObject(value) && Object.keys(value).some((k) => k.startsWith('$')));
  }
}
