import { cloneDeep, isEqual, isNumber } from 'mingo/util';
import { DocumentValues } from './DocumentValues';
import type { Doc } from './DevMongoServerTypes';

const SIMPLE_OPERATORS = new Set(['$set', '$unset', '$inc']);

/**
 * The common update shapes ($set / $unset / $inc on plain field paths through sub-documents)
 * applied directly, with exactly the results of mingo's update operators for those shapes.
 * mingo sets up operator tables and path parameters on every call, which made it the largest
 * cost of a plain updateOne; anything outside these shapes (positional or array paths,
 * conflicts, paths through non-documents, other operators) is left to mingo.
 */
export class FieldUpdater {
  /** The updated copy of `doc`, or null when the modifier is not one of the simple shapes. */
  static tryApply(doc: Doc, modifier: Doc): Doc | null {
    const ops = Object.keys(modifier);
    const paths: string[] = [];
    for (const op of ops) {
      const fields = modifier[op];
      if (!SIMPLE_OPERATORS.has(op) || !DocumentValues.isPlainObject(fields)) return null;
      for (const [path, value] of Object.entries(fields)) {
        if (!FieldUpdater.isPlainPath(path)) return null;
        if (op === '$inc' && !isNumber(value)) return null;
        paths.push(path);
      }
    }
    if (FieldUpdater.hasConflict(paths)) return null;
    const next = DocumentValues.clone(doc);
    for (const op of ops) {
      for (const [path, value] of Object.entries(modifier[op] as Doc)) {
        if (!FieldUpdater.applyOne(next, op, path.split('.'), value)) return null;
      }
    }
    return next;
  }

  /** A dotted path of named (not positional, not numeric) fields other than _id. */
  private static isPlainPath(path: string): boolean {
    if (path.length === 0 || path.includes('$')) return false;
    const parts = path.split('.');
    if (parts[0] === '_id') return false;
    return parts.every((p) => p.length > 0 && !/^\d+$/.test(p) && p !== '__proto__');
  }

  /** Two updates of one path, or of a path and its parent, which mingo rejects. */
  private static hasConflict(paths: string[]): boolean {
    for (let i = 0; i < paths.length; i++) {
      for (let j = i + 1; j < paths.length; j++) {
        const [a, b] = paths[i].length <= paths[j].length ? [paths[i], paths[j]] : [paths[j], paths[i]];
        if (a === b || b.startsWith(`${a}.`)) return true;
      }
    }
    return false;
  }

  /**
   * Applies one operator to one path as mingo does: $set and $inc create missing (or null)
   * parents, $unset leaves a missing parent alone. Returns false on a parent that is not a
   * document, whose handling is left to mingo.
   */
  private static applyOne(doc: Doc, op: string, parts: string[], value: unknown): boolean {
    let parent: Doc = doc;
    for (let i = 0; i < parts.length - 1; i++) {
      let child = parent[parts[i]];
      if (child === null || child === undefined) {
        if (op === '$unset') return true;
        child = parent[parts[i]] = {};
      }
      if (!DocumentValues.isPlainObject(child)) return false;
      parent = child;
    }
    const key = parts[parts.length - 1];
    if (op === '$set') {
      if (!isEqual(parent[key], value)) parent[key] = cloneDeep(value);
    } else if (op === '$inc') {
      const current = parent[key];
      if (isNumber(current) || current === undefined) parent[key] = (current || 0) + (value as number);
    } else if (Object.prototype.hasOwnProperty.call(parent, key)) {
      delete parent[key];
    }
    return true;
  }
}
