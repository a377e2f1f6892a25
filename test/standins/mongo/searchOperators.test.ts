/**
 * `$all` and anchored `$regex` prefixes (message search, issue 13) on the development stand-in:
 * index plans must return exactly what a scan returns, and through the driver the answers are
 * MongoDB's documented ones (run with MONGO_URL set to check them against a real server).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { EJSON } from 'bson';
import { DocumentValues } from '../../../standins/mongo/DocumentValues';
import { IndexQueryPlanner } from '../../../standins/mongo/IndexQueryPlanner';
import { QueryEngine } from '../../../standins/mongo/QueryEngine';
import { StoredCollection } from '../../../standins/mongo/StoredCollection';
import type { Doc, IndexSpec } from '../../../standins/mongo/DevMongoServerTypes';
import type { FindSpec } from '../../../standins/mongo/QueryEngine';
import { openTestDatabase, type TestDatabase } from '../../support/mongo';
import { SeededRandom } from '../../support/random';

const WORDS = ['hike', 'hiking', 'hi', '上海', '海东', '东边', '边', 'a.b', 'ab', 'abc', 'b', '\uffff', '\uffffx', 'z'];
const SESSIONS = ['s1', 's2', 's3'];
const INDEXES: IndexSpec[] = [
  { key: { terms: 1, sessionid: 1, dateline: -1 }, name: 'terms_sessionid_dateline' },
  { key: { sessionid: 1, dateline: 1 }, name: 'sessionid_dateline' },
];

function makeDoc(rnd: SeededRandom, i: number, messy: boolean): Doc {
  const terms = Array.from({ length: rnd.int(5) }, () => rnd.pick(WORDS));
  const doc: Doc = { _id: i, sessionid: rnd.pick(SESSIONS), dateline: 1000 + rnd.int(20), terms };
  if (messy && rnd.int(4) === 0) doc.terms = rnd.pick<unknown>(['hike', 5, null, [], /^hi/, ['abc', 7], undefined]);
  if (doc.terms === undefined) delete doc.terms;
  if (rnd.int(5) === 0) doc.deleted = true;
  return doc;
}

function queries(rnd: SeededRandom): FindSpec[] {
  const w = () => rnd.pick(WORDS);
  const out: FindSpec[] = [];
  for (let i = 0; i < 6; i++) {
    out.push(
      { filter: { terms: { $all: [w()] } } },
      { filter: { terms: { $all: [w(), w()] }, sessionid: { $in: [rnd.pick(SESSIONS), rnd.pick(SESSIONS)] } }, sort: { dateline: -1, _id: -1 }, limit: 3 },
      { filter: { terms: { $all: [w(), w()] }, sessionid: rnd.pick(SESSIONS), dateline: { $lt: 1010 } }, sort: { dateline: -1 }, limit: 2 },
      { filter: { terms: { $all: [] } } },
      { filter: { terms: { $all: [w(), { $elemMatch: { $eq: 'hike' } }] } } },
      { filter: { terms: { $all: [['abc', 7]] } } },
      { filter: { terms: { $regex: '^hi' } } },
      { filter: { terms: { $regex: '^hi' }, sessionid: { $in: ['s1', 's2'] } }, sort: { dateline: -1, _id: -1 }, limit: 4 },
      { filter: { terms: /^a\.b/ } },
      { filter: { terms: /^a.b/ } },
      { filter: { terms: /^ab?/ } },
      { filter: { terms: /^hi|上/ } },
      { filter: { terms: /^HI/i } },
      { filter: { terms: { $regex: '^hi', $options: 'i' } } },
      { filter: { terms: { $regex: 'ik' } } },
      { filter: { terms: { $regex: '^\uffff' } } },
      { filter: { terms: { $regex: '^上' } } },
      { filter: { terms: { $all: [w()] }, deleted: { $ne: true }, $and: [{ terms: { $regex: '^h' } }] }, sort: { dateline: -1, _id: -1 }, limit: 5 },
    );
  }
  return out;
}

const show = (docs: Doc[]) => EJSON.stringify(docs, { relaxed: false });

describe('devmongo $all and regex prefixes on indexes', () => {
  for (const messy of [false, true]) {
    it(`returns exactly what a scan returns (${messy ? 'odd values' : 'term arrays'})`, () => {
      for (let seed = 1; seed <= 3; seed++) {
        const rnd = new SeededRandom(seed * 31 + (messy ? 1 : 0));
        const indexed = new StoredCollection('db', 'indexed');
        const plain = new StoredCollection('db', 'plain');
        for (const spec of INDEXES) indexed.addIndex(spec);
        for (let i = 0; i < 300; i++) {
          const doc = makeDoc(rnd, i, messy);
          indexed.rawPut(doc);
          plain.rawPut(DocumentValues.clone(doc));
        }
        for (const spec of queries(rnd)) {
          assert.equal(show(QueryEngine.find(indexed, spec)), show(QueryEngine.find(plain, spec)), EJSON.stringify(spec));
          assert.equal(show(QueryEngine.select(indexed, spec.filter)), show(QueryEngine.select(plain, spec.filter)), EJSON.stringify(spec.filter));
        }
      }
    });
  }

  it('plans $all on its rarest value and a regex prefix as a range', () => {
    const coll = new StoredCollection('db', 'plan');
    coll.addIndex(INDEXES[0]);
    for (let i = 0; i < 200; i++) coll.rawPut({ _id: i, sessionid: 's1', dateline: i, terms: i === 7 ? ['common', 'rare'] : ['common'] });
    const all = IndexQueryPlanner.plan(coll, { terms: { $all: ['common', 'rare'] }, sessionid: 's1' });
    assert.equal(all.kind, 'candidates');
    assert.deepEqual(all.kind === 'candidates' && all.records.map((r) => r.doc._id), [7]);
    assert.equal(all.kind === 'candidates' && all.exact, false);
    const prefix = IndexQueryPlanner.plan(coll, { terms: { $regex: '^ra' } });
    assert.deepEqual(prefix.kind === 'candidates' && prefix.records.map((r) => r.doc._id), [7]);
    assert.equal(IndexQueryPlanner.plan(coll, { terms: { $regex: 'ra' } }).kind, 'scan');
    assert.equal(IndexQueryPlanner.plan(coll, { terms: /^ra/m }).kind, 'scan');
  });
});

describe('$all and regex prefixes through the driver (MongoDB semantics)', () => {
  let t: TestDatabase;
  before(async () => {
    t = await openTestDatabase();
    const coll = t.db.db.collection<{ _id: number; terms?: unknown }>('ops');
    await coll.createIndex({ terms: 1 });
    await coll.insertMany([
      { _id: 1, terms: ['hike', 'sunday'] },
      { _id: 2, terms: ['hiking', 'on', 'sunday'] },
      { _id: 3, terms: 'hike' },
      { _id: 4, terms: ['上海', '海东', '东边', '边'] },
      { _id: 5, terms: [] },
      { _id: 6 },
      { _id: 7, terms: ['a.b'] },
      { _id: 8, terms: ['axb'] },
    ]);
  });
  after(async () => t?.close());

  const ids = async (filter: object) =>
    (await t.db.db.collection('ops').find(filter).sort({ _id: 1 }).toArray()).map((d) => d._id);

  it('$all: every value is present (a scalar field counts as a one-element array; [] matches nothing)', async () => {
    assert.deepEqual(await ids({ terms: { $all: ['hike'] } }), [1, 3]);
    assert.deepEqual(await ids({ terms: { $all: ['sunday', 'hike'] } }), [1]);
    assert.deepEqual(await ids({ terms: { $all: ['上海', '东边'] } }), [4]);
    assert.deepEqual(await ids({ terms: { $all: [] } }), []);
  });

  it('an anchored regex matches elements by prefix; escapes are literal; no match on missing fields', async () => {
    assert.deepEqual(await ids({ terms: { $regex: '^hik' } }), [1, 2, 3]);
    assert.deepEqual(await ids({ terms: { $regex: '^hike' } }), [1, 3]);
    assert.deepEqual(await ids({ terms: { $regex: '^a\\.b' } }), [7]);
    assert.deepEqual(await ids({ terms: { $regex: '^a.b' } }), [7, 8]);
    assert.deepEqual(await ids({ terms: { $regex: '^上' } }), [4]);
    assert.deepEqual(await ids({ terms: { $all: ['sunday'] }, $and: [{ terms: { $regex: '^hik' } }] }), [1, 2]);
  });
});
