import { Query, aggregate, find, update as mingoUpdate } from 'mingo';
import { AllOperator } from './AllOperator';
import { CommandError } from './CommandError';
import { DocumentValues } from './DocumentValues';
import { FieldUpdater } from './FieldUpdater';
import { IndexQueryPlanner } from './IndexQueryPlanner';
import type { Doc } from './DevMongoServerTypes';
import type { QueryPlan } from './IndexQueryPlanner';
import type { StoredCollection } from './StoredCollection';

const UPDATE_OPERATORS = new Set([
  '$set', '$unset', '$inc', '$mul', '$push', '$pull', '$pullAll', '$addToSet', '$pop',
  '$rename', '$min', '$max', '$currentDate', '$bit', '$setOnInsert',
]);

export interface FindSpec {
  filter?: Doc;
  sort?: Doc;
  projection?: Doc;
  skip?: number;
  limit?: number;
}

/** Query language on top of mingo: matching, sorting, projection, update operators, pipelines. */
export class QueryEngine {
  /** Wraps mingo failures into mongod-like command errors. */
  static guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      if (err instanceof CommandError) throw err;
      const message = err instanceof Error ? err.message : String(err);
      if (/pipeline operator/.test(message)) throw new CommandError(40324, 'Location40324', `Unrecognized pipeline stage name: ${message}`);
      if (/immutable field/.test(message)) throw new CommandError(66, 'ImmutableField', message);
      if (/conflict/i.test(message)) throw new CommandError(40, 'ConflictingUpdateOperators', message);
      throw new CommandError(2, 'BadValue', message);
    }
  }

  static matcher(filter: Doc | undefined): (doc: Doc) => boolean {
    if (!filter || Object.keys(filter).length === 0) return () => true;
    const q = QueryEngine.guard(() => new Query(AllOperator.rewrite(filter)));
    return (doc) => q.test(doc);
  }

  /**
   * Documents matching a filter, in natural order, visiting only index candidates when an index
   * (or the _id map) applies; `limit` > 0 stops after that many matches.
   */
  static select(coll: StoredCollection | undefined, filter: Doc | undefined, limit = 0): Doc[] {
    if (!coll) return [];
    const plan = IndexQueryPlanner.plan(coll, filter);
    return QueryEngine.collect(coll, plan, QueryEngine.matcherFor(plan, filter), 0, limit);
  }

  /** The matcher a plan still needs (none when its index lookup decides the whole filter). */
  private static matcherFor(plan: QueryPlan, filter: Doc | undefined): (doc: Doc) => boolean {
    return plan.kind !== 'scan' && plan.exact ? () => true : QueryEngine.matcher(filter);
  }

  /** Matching documents of a plan, in the plan's order, after skipping `skip` matches and up to `limit` (0: all). */
  private static collect(coll: StoredCollection, plan: QueryPlan, test: (doc: Doc) => boolean, skip: number, limit: number): Doc[] {
    const out: Doc[] = [];
    let toSkip = skip;
    const consider = (doc: Doc): boolean => {
      if (!test(doc)) return true;
      if (toSkip > 0) toSkip--;
      else out.push(doc);
      return limit === 0 || out.length < limit;
    };
    if (plan.kind === 'scan') {
      for (const doc of coll.documents()) if (!consider(doc)) break;
    } else if (plan.kind === 'candidates') {
      for (const record of plan.records) if (!consider(record.doc)) break;
    } else {
      for (const record of IndexQueryPlanner.orderedRecords(plan)) if (!consider(record.doc)) break;
    }
    return out;
  }

  static find(coll: StoredCollection | undefined, spec: FindSpec): Doc[] {
    if (!coll) return [];
    const skip = spec.skip ?? 0;
    const limit = spec.limit ? Math.abs(spec.limit) : 0;
    let sortSpec = spec.sort;
    const natural = !!sortSpec && '$natural' in sortSpec;
    const sorted = !!sortSpec && Object.keys(sortSpec).some((k) => k !== '$natural');
    if (!natural && !sorted) {
      // Natural order: stop as soon as the page is complete.
      const plan = IndexQueryPlanner.plan(coll, spec.filter);
      const docs = QueryEngine.collect(coll, plan, QueryEngine.matcherFor(plan, spec.filter), skip, limit);
      return QueryEngine.project(docs, spec.projection);
    }
    if (!natural) {
      const plan = IndexQueryPlanner.plan(coll, spec.filter, { sort: sortSpec, want: limit > 0 ? skip + limit : 0 });
      if (plan.kind === 'ordered') {
        // The index walk yields the sort order itself, so the page ends after skip + limit matches.
        return QueryEngine.project(QueryEngine.collect(coll, plan, QueryEngine.matcherFor(plan, spec.filter), skip, limit), spec.projection);
      }
    }
    let docs = QueryEngine.select(coll, spec.filter);
    if (sortSpec && natural) {
      // Natural order is insertion order here; only its direction matters.
      const { $natural, ...rest } = sortSpec;
      if ($natural === -1) docs = docs.slice().reverse();
      sortSpec = rest;
    }
    if (sortSpec && Object.keys(sortSpec).length > 0) {
      const sort = sortSpec;
      docs = QueryEngine.guard(() => find(docs, {}).sort(sort as never).all() as Doc[]);
    }
    if (skip > 0 || limit > 0) docs = docs.slice(skip, limit > 0 ? skip + limit : undefined);
    return QueryEngine.project(docs, spec.projection);
  }

  static project(docs: Doc[], projection: Doc | undefined): Doc[] {
    if (!projection || Object.keys(projection).length === 0) return docs;
    const projected = QueryEngine.guard(() => find(docs, {}, projection as never).all() as Doc[]);
    return projected.map((d) => DocumentValues.idFirst(d));
  }

  /** Runs a pipeline on private copies (mingo stages may modify their input in place). */
  static aggregate(docs: Doc[], pipeline: Doc[], resolve: (name: string) => Doc[]): Doc[] {
    let input = docs;
    let stages = pipeline;
    if (stages.length > 0 && stages[0].$match) {
      const test = QueryEngine.matcher(stages[0].$match);
      input = input.filter(test);
      stages = stages.slice(1);
    }
    const copies = input.map((d) => DocumentValues.clone(d));
    if (stages.length === 0) return copies;
    for (const stage of stages) {
      const name = Object.keys(stage)[0];
      if (name === '$out' || name === '$merge') {
        throw new CommandError(115, 'CommandNotSupported', `${name} is not supported by the development server`);
      }
    }
    return QueryEngine.guard(
      () => aggregate(copies, stages, { collectionResolver: (n: string) => resolve(n).map((d) => DocumentValues.clone(d)) } as never) as Doc[],
    );
  }

  static isOperatorUpdate(u: Doc): boolean {
    const keys = Object.keys(u);
    return keys.length > 0 && keys[0].startsWith('$');
  }

  /**
   * Computes the updated version of `doc` (never modifies it). Handles operator updates,
   * replacements and pipeline updates; `_id` may not change.
   */
  static applyUpdate(doc: Doc, u: Doc | Doc[], opts: { isInsert: boolean; filter?: Doc; arrayFilters?: Doc[] }): Doc {
    let next: Doc;
    if (Array.isArray(u)) {
      next = QueryEngine.aggregate([doc], u, () => [])[0] ?? {};
    } else if (QueryEngine.isOperatorUpdate(u)) {
      const modifier: Doc = {};
      for (const [op, fields] of Object.entries(u)) {
        if (!op.startsWith('$')) throw new CommandError(9, 'FailedToParse', `Unknown modifier: ${op}. Expected a valid update modifier or pipeline-style update specified as an array`);
        if (!UPDATE_OPERATORS.has(op)) throw new CommandError(9, 'FailedToParse', `Unknown modifier: ${op}. Expected a valid update modifier or pipeline-style update specified as an array`);
        if (op === '$setOnInsert') continue;
        modifier[op] = fields;
      }
      if (opts.isInsert && u.$setOnInsert) {
        const set = { ...(modifier.$set ?? {}) };
        for (const [path, value] of Object.entries(u.$setOnInsert as Doc)) {
          if (path in set) throw new CommandError(40, 'ConflictingUpdateOperators', `Updating the path '${path}' would create a conflict at '${path}'`);
          set[path] = value;
        }
        modifier.$set = set;
      }
      const simple = FieldUpdater.tryApply(doc, modifier);
      if (simple) next = simple;
      else {
        next = DocumentValues.clone(doc);
        // mingo needs the filter only to resolve the positional `$`; otherwise it would just run it again.
        const positional = Object.values(modifier).some(
          (fields) => DocumentValues.isPlainObject(fields) && Object.keys(fields).some((p) => /(^|\.)\$(\.|$)/.test(p)),
        );
        const condition = opts.isInsert || !positional ? {} : (opts.filter ?? {});
        if (Object.keys(modifier).length > 0) {
          QueryEngine.guard(() => mingoUpdate(next, modifier as never, opts.arrayFilters as never, condition as never, { cloneMode: 'deep' }));
        }
      }
    } else {
      for (const k of Object.keys(u)) {
        if (k.startsWith('$')) throw new CommandError(2, 'BadValue', `replacement document can not contain an update operator: ${k}`);
      }
      next = DocumentValues.clone(u);
      if (!('_id' in next) && '_id' in doc) next = { _id: doc._id, ...next };
    }
    if ('_id' in doc && DocumentValues.key(next._id) !== DocumentValues.key(doc._id)) {
      if (!opts.isInsert || '_id' in next) {
        throw new CommandError(66, 'ImmutableField', `Performing an update on the path '_id' would modify the immutable field '_id'`);
      }
    }
    return DocumentValues.idFirst(next);
  }

  /** The equality part of a filter, which seeds the document an upsert inserts. */
  static upsertSeed(filter: Doc | undefined): Doc {
    const seed: Doc = {};
    const visit = (f: Doc) => {
      for (const [k, v] of Object.entries(f)) {
        if (k === '$and' && Array.isArray(v)) {
          v.forEach((sub) => visit(sub as Doc));
        } else if (!k.startsWith('$')) {
          if (DocumentValues.isPlainObject(v) && Object.keys(v).some((x) => x.startsWith('$'))) {
            if ('$eq' in v) DocumentValues.setPath(seed, k, DocumentValues.clone({ v: v.$eq }).v);
          } else {
            DocumentValues.setPath(seed, k, DocumentValues.clone({ v }).v);
          }
        }
      }
    };
    if (filter) visit(filter);
    return seed;
  }
}
