import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Binary, Decimal128, EJSON, ObjectId } from 'bson';
import { update as mingoUpdate } from 'mingo';
import { DocumentValues } from '../../../standins/mongo/DocumentValues';
import { ExtendedJsonWriter } from '../../../standins/mongo/ExtendedJsonWriter';
import { FieldUpdater } from '../../../standins/mongo/FieldUpdater';
import { IndexQueryPlanner } from '../../../standins/mongo/IndexQueryPlanner';
import { QueryEngine } from '../../../standins/mongo/QueryEngine';
import { StoredCollection } from '../../../standins/mongo/StoredCollection';
import type { Doc, IndexSpec } from '../../../standins/mongo/DevMongoServerTypes';
import type { FindSpec } from '../../../standins/mongo/QueryEngine';
import { SeededRandom } from '../../support/random';

const OIDS = [new ObjectId('64b000000000000000000001'), new ObjectId('64b000000000000000000002')];
const SESSIONS = ['s1', 's2', 's3', 's4'];
const TAGS = ['red', 'green', 'blue', 'x'];
/** Values of every kind the matcher and the index must agree on. */
const MIXED: unknown[] = [
  1, 2, 2.5, -1, 0, -0, NaN, 'a', 'b', '', null, true, false, new Date(1000), new Date(2000), new Date(NaN), OIDS[0], OIDS[1],
  [1, 2], ['a', 1], [], [[1]], [null], { x: 1 }, new Decimal128('1'), new Binary(Buffer.from('ab')), /a/,
];
const MISSING = Symbol('missing');

const INDEXES: IndexSpec[] = [
  { key: { sessionid: 1, seq: 1 }, name: 'sessionid_seq', unique: true },
  { key: { sessionid: 1, senduid: 1, uuid: 1 }, name: 'sessionid_senduid_uuid' },
  { key: { tags: 1 }, name: 'tags' },
  { key: { v: 1 }, name: 'v' },
  { key: { 'meta.k': 1 }, name: 'meta_k' },
  { key: { grp: 1, v: -1 }, name: 'grp_v' },
  { key: { n: 1 }, name: 'n_sparse', sparse: true },
  { key: { time: 1 }, name: 'time' },
];

/** A chat-like document; with `messy`, indexed fields also get odd values. */
function makeDoc(rnd: SeededRandom, i: number, seqs: Map<string, number>, messy: boolean): Doc {
  const sessionid = rnd.pick(SESSIONS);
  const seq = (seqs.get(sessionid) ?? 0) + 1 + rnd.int(2);
  seqs.set(sessionid, seq);
  const doc: Doc = {
    _id: i,
    sessionid,
    seq,
    senduid: `u${rnd.int(3)}`,
    uuid: `m${i}`,
    tags: [rnd.pick(TAGS), rnd.pick(TAGS)],
    grp: rnd.int(3),
    v: rnd.int(5),
    meta: { k: rnd.int(4) },
    time: new Date(1_700_000_000_000 + rnd.int(10) * 1000),
  };
  if (rnd.int(3) === 0) doc.n = rnd.int(3);
  if (messy) {
    const set = (field: string, value: unknown) => {
      if (value === MISSING) delete doc[field];
      else doc[field] = value;
    };
    if (rnd.int(4) === 0) set('v', rnd.pick([...MIXED, MISSING]));
    if (rnd.int(8) === 0) set('seq', rnd.pick(['7', null, MISSING, 3.5, [1, 2]]));
    if (rnd.int(8) === 0) set('sessionid', rnd.pick([[...SESSIONS.slice(0, 2)], MISSING, null, 5]));
    if (rnd.int(6) === 0) set('tags', rnd.pick([[], 'red', [['red']], MISSING, ['red', 'red']]));
    if (rnd.int(6) === 0) set('meta', rnd.pick([[{ k: 1 }, { k: 2 }], { k: [1, 3] }, 'str', null, MISSING]));
    if (rnd.int(8) === 0) set('time', rnd.pick([[new Date(1_700_000_001_000), new Date(1_700_000_009_000)], 'later', MISSING]));
  }
  return doc;
}

function queries(rnd: SeededRandom): FindSpec[] {
  const out: FindSpec[] = [];
  const s = () => rnd.pick(SESSIONS);
  const n = () => rnd.int(40);
  const mixed = () => rnd.pick(MIXED.filter((v) => !Array.isArray(v)));
  for (let i = 0; i < 5; i++) {
    out.push(
      { filter: { sessionid: s() } },
      { filter: { sessionid: s(), seq: { $lt: n() } }, sort: { seq: -1 }, limit: 1 + rnd.int(5) },
      { filter: { sessionid: s(), seq: { $gt: n() } }, sort: { seq: 1 }, limit: 1 + rnd.int(5), skip: rnd.int(3) },
      { filter: { sessionid: s(), seq: { $gte: n(), $lte: n() + 10 } }, sort: { seq: -1 } },
      { filter: { sessionid: s() }, sort: { seq: -1 }, limit: 1, projection: { seq: 1 } },
      { filter: { sessionid: s() }, sort: { sessionid: 1, seq: 1 }, limit: 3 },
      { filter: { sessionid: { $in: [s(), s()] }, seq: { $gt: n() } }, sort: { seq: 1 }, limit: 4 },
      { filter: { sessionid: s(), senduid: `u${rnd.int(3)}`, uuid: `m${rnd.int(200)}` } },
      { filter: { sessionid: s(), senduid: `u${rnd.int(3)}` }, sort: { uuid: -1 }, limit: 3 },
      { filter: { tags: rnd.pick(TAGS) } },
      { filter: { tags: { $in: [rnd.pick(TAGS), rnd.pick(TAGS)] } }, sort: { _id: -1 } },
      { filter: { v: mixed() } },
      { filter: { v: { $in: [mixed(), mixed()] } } },
      { filter: { v: { $gt: mixed() } }, sort: { v: 1 }, limit: 5 },
      { filter: { v: { $lte: mixed() } }, sort: { v: -1 } },
      { filter: { v: { $gte: rnd.int(4), $lt: 'z' } } },
      { filter: {}, sort: { v: -1 }, limit: 4 },
      { filter: {}, sort: { seq: 1 }, limit: 3, skip: 1 },
      { filter: { 'meta.k': rnd.int(4) } },
      { filter: { 'meta.k': { $gt: rnd.int(3) } }, sort: { 'meta.k': 1 }, limit: 3 },
      { filter: { grp: rnd.int(3), v: { $lt: rnd.int(5) } }, sort: { v: -1 }, limit: 3 },
      { filter: { grp: rnd.int(3) }, sort: { v: 1 } },
      { filter: { n: rnd.int(3) } },
      { filter: { n: { $gte: 1 } }, sort: { n: 1 }, limit: 2 },
      { filter: {}, sort: { n: -1 }, limit: 2 },
      { filter: { time: { $gt: new Date(1_700_000_000_000 + rnd.int(10) * 1000) } }, sort: { time: 1 }, limit: 4 },
      { filter: { _id: { $in: [rnd.int(200), rnd.int(200), 'nope'] } } },
      { filter: { _id: rnd.int(200), sessionid: s() } },
      { filter: { sessionid: s(), $or: [{ v: 1 }, { tags: 'red' }] }, sort: { seq: -1 }, limit: 2 },
      { filter: { sessionid: s(), seq: { $lt: n(), $ne: 3 } }, sort: { seq: -1 }, limit: 3 },
      { filter: { sessionid: null } },
      { filter: { v: { $eq: mixed() } } },
      { filter: { v: { $in: [] } } },
      { filter: { seq: { $lt: 5 }, sessionid: { $exists: true } } },
    );
  }
  return out;
}

const show = (docs: Doc[]) => EJSON.stringify(docs, { relaxed: false });

/** Same documents in an indexed and an unindexed collection. */
function twins(docs: Doc[]): { indexed: StoredCollection; plain: StoredCollection } {
  const indexed = new StoredCollection('db', 'indexed');
  const plain = new StoredCollection('db', 'plain');
  for (const spec of INDEXES) indexed.addIndex(spec);
  for (const doc of docs) {
    indexed.rawPut(doc);
    plain.rawPut(DocumentValues.clone(doc));
  }
  return { indexed, plain };
}

function assertSameResults(indexed: StoredCollection, plain: StoredCollection, specs: FindSpec[], label: string): void {
  for (const spec of specs) {
    const expected = QueryEngine.find(plain, spec);
    const actual = QueryEngine.find(indexed, spec);
    assert.equal(show(actual), show(expected), `${label}: ${EJSON.stringify(spec)}`);
    const many = QueryEngine.select(indexed, spec.filter);
    assert.equal(show(many), show(QueryEngine.select(plain, spec.filter)), `${label} select: ${EJSON.stringify(spec.filter)}`);
    assert.equal(show(QueryEngine.select(indexed, spec.filter, 1)), show(QueryEngine.select(plain, spec.filter, 1)), `${label} first`);
  }
}

/** Random changes applied to both collections alike, including changes of indexed fields. */
function mutate(rnd: SeededRandom, colls: StoredCollection[], seqs: Map<string, number>, messy: boolean, nextId: () => number): void {
  for (let i = 0; i < 60; i++) {
    const id = rnd.int(nextId());
    const current = colls[0].getById(id);
    const action = rnd.int(4);
    if (action === 0 && current) {
      for (const c of colls) c.rawDelete(id);
    } else if (action === 1 && current) {
      const next = { ...makeDoc(rnd, id, seqs, messy), _id: id };
      for (const c of colls) c.rawPut(DocumentValues.clone(next));
    } else if (action === 2 && current) {
      const next: Doc = { ...current, v: rnd.pick(messy ? MIXED : [1, 2, 3]), tags: [rnd.pick(TAGS)], seq: current.seq };
      if (rnd.int(3) === 0) delete next.sessionid;
      for (const c of colls) c.rawPut(DocumentValues.clone(next));
    } else {
      const doc = makeDoc(rnd, nextId(), seqs, messy);
      for (const c of colls) c.rawPut(DocumentValues.clone(doc));
    }
  }
}

describe('devmongo index-backed queries (in process)', () => {
  for (const messy of [false, true]) {
    it(`returns exactly what a scan returns (${messy ? 'mixed types, arrays, missing fields' : 'chat-like data'})`, () => {
      for (let seed = 1; seed <= 2; seed++) {
        const rnd = new SeededRandom(seed * 7919 + (messy ? 1 : 0));
        const seqs = new Map<string, number>();
        let count = 0;
        const docs = Array.from({ length: 200 }, () => makeDoc(rnd, count++, seqs, messy));
        const { indexed, plain } = twins(docs);
        const specs = queries(rnd);
        assertSameResults(indexed, plain, specs, `seed ${seed} initial`);
        mutate(rnd, [indexed, plain], seqs, messy, () => count++);
        assertSameResults(indexed, plain, specs, `seed ${seed} after changes`);
        for (const spec of INDEXES.slice(0, 4)) indexed.removeIndex(spec.name);
        assertSameResults(indexed, plain, specs, `seed ${seed} after dropping indexes`);
        indexed.addIndex({ ...INDEXES[0], unique: false });
        assertSameResults(indexed, plain, specs, `seed ${seed} after rebuilding an index`);
      }
    });
  }

  it('plans the chat queries on indexes: ordered walks for pages, lookups for equality', () => {
    const rnd = new SeededRandom(42);
    const seqs = new Map<string, number>();
    const { indexed } = twins(Array.from({ length: 500 }, (_, i) => makeDoc(rnd, i, seqs, false)));
    const plan = (filter: Doc, sort?: Doc, want?: number) => IndexQueryPlanner.plan(indexed, filter, { sort, want });
    const page = plan({ sessionid: 's1', seq: { $lt: 100 } }, { seq: -1 }, 20);
    assert.equal(page.kind, 'ordered');
    assert.equal(page.kind === 'ordered' && page.indexName, 'sessionid_seq');
    assert.equal(page.kind === 'ordered' && page.descending, true);
    assert.equal(page.kind === 'ordered' && page.exact, true);
    assert.equal(plan({ sessionid: 's1', seq: { $gt: 5 } }, { seq: 1 }, 20).kind, 'ordered');
    assert.equal(plan({ sessionid: 's1' }, { seq: -1 }, 1).kind, 'ordered');
    const byUuid = plan({ sessionid: 's1', senduid: 'u1', uuid: 'm7' });
    assert.equal(byUuid.kind === 'candidates' && byUuid.indexName, 'sessionid_senduid_uuid');
    assert.equal(plan({ tags: 'red' }).kind, 'candidates');
    assert.equal(plan({ _id: { $in: [1, 2] } }).kind, 'candidates');
    assert.equal(plan({ time: { $gt: new Date(1_700_000_005_000) } }).kind, 'candidates');
    assert.equal(plan({ v: { $exists: true } }).kind, 'scan');
    const docs = QueryEngine.find(indexed, { filter: { sessionid: 's1', seq: { $lt: 100 } }, sort: { seq: -1 }, limit: 20 });
    assert.equal(docs.length, 20);
    assert.ok(docs.every((d, i) => i === 0 || d.seq < docs[i - 1].seq));
  });

  it('keeps TTL lookups in step with the documents', () => {
    const coll = new StoredCollection('db', 'ttl');
    coll.addIndex({ key: { at: 1 }, name: 'at_1', expireAfterSeconds: 0 });
    coll.rawPut({ _id: 1, at: new Date(1000) });
    coll.rawPut({ _id: 2, at: [new Date(5000), new Date(500)] });
    coll.rawPut({ _id: 3, at: 'no date' });
    coll.rawPut({ _id: 4, at: new Date(9000) });
    const expired = () => coll.getSecondaryIndex('at_1')!.recordsWithDateUpTo(1000).map((r) => r.doc._id);
    assert.deepEqual(expired(), [1, 2]);
    coll.rawPut({ _id: 1, at: new Date(8000) });
    coll.rawDelete(2);
    assert.deepEqual(expired(), []);
  });

  it('writes journal lines exactly as EJSON.stringify does', () => {
    const rnd = new SeededRandom(5);
    const values: unknown[] = [
      ...MIXED, 2 ** 31, -(2 ** 31), 2 ** 31 - 1, 2 ** 53, -(2 ** 63), 2 ** 63, 1e300, Infinity, -Infinity, 1.5e-7, 'quote " and \\ and \u2028 \ud800',
      { a: undefined, b: [undefined, 1], 'c.d': { $x: 1 } }, new Date(-5), new Date(8.64e15),
    ];
    for (let i = 0; i < 200; i++) {
      const doc: Doc = { _id: new ObjectId(), op: 'put' };
      for (let f = 0; f < 5; f++) doc[`f${f}`] = rnd.pick(values);
      doc.nested = { list: [rnd.pick(values), { deep: rnd.pick(values) }] };
      assert.equal(ExtendedJsonWriter.stringify(doc), EJSON.stringify(doc, { relaxed: false }));
    }
  });

  it('applies simple $set / $unset / $inc exactly as mingo does', () => {
    const rnd = new SeededRandom(9);
    const base = (): Doc => ({ _id: 1, a: 1, b: { c: 2, d: [1, 2] }, e: null, s: 'x', n: NaN, o: { y: 1, z: 2 } });
    const paths = ['a', 'b.c', 'b.x', 'e.f', 'new', 'new.deep', 's', 'n', 'o', 'b.d', 'q.r.s'];
    const values: unknown[] = [1, -2.5, 'v', null, { z: 2, y: 1 }, { y: 1, z: 2 }, [1, 2], new Date(3), OIDS[0]];
    let fast = 0;
    for (let i = 0; i < 400; i++) {
      const modifier: Doc = {};
      for (const op of ['$set', '$unset', '$inc']) {
        if (rnd.int(2) === 0) continue;
        const fields: Doc = {};
        for (let k = 0; k < 1 + rnd.int(2); k++) fields[rnd.pick(paths)] = op === '$inc' ? rnd.pick([1, -3, 0.5]) : op === '$unset' ? '' : rnd.pick(values);
        modifier[op] = fields;
      }
      const doc = base();
      const viaFieldUpdater = FieldUpdater.tryApply(doc, modifier);
      let viaMingo: Doc | string;
      try {
        viaMingo = DocumentValues.clone(doc);
        mingoUpdate(viaMingo, modifier as never, undefined, {}, { cloneMode: 'deep' });
      } catch (err) {
        viaMingo = `error: ${(err as Error).message}`;
      }
      if (viaFieldUpdater === null) continue;
      fast++;
      assert.equal(typeof viaMingo, 'object', `mingo refused ${EJSON.stringify(modifier)} but the fast path applied it`);
      assert.ok(DocumentValues.sameValue(viaFieldUpdater, viaMingo), `${EJSON.stringify(modifier)}`);
      assert.ok(DocumentValues.sameBytes(doc, base()), 'the input document is left alone');
    }
    assert.ok(fast > 100, `the fast path handled ${fast} updates`);
  });
});
