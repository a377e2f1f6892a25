import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BSON, type Collection, type Db, type Document, type Filter, type MongoClient } from 'mongodb';
import { DevMongoTestKit } from './devMongoTestKit';
import type { DevMongoServer } from '../../../standins/mongo/DevMongoServer';

const { EJSON } = BSON;

interface Probe {
  filter: Document;
  sort?: Record<string, 1 | -1>;
  limit?: number;
  skip?: number;
  projection?: Document;
}

const T0 = Date.UTC(2024, 0, 1);

/** The chat server's queries plus edge cases: equality, $in, ranges with sorts, multikey, missing fields. */
const PROBES: Probe[] = [
  { filter: { sessionid: 's1' }, sort: { seq: -1 }, limit: 5 },
  { filter: { sessionid: 's1', seq: { $lt: 30 } }, sort: { seq: -1 }, limit: 20 },
  { filter: { sessionid: 's2', seq: { $gt: 10 } }, sort: { seq: 1 }, limit: 7 },
  { filter: { sessionid: 's2', seq: { $gt: 10 } }, sort: { seq: 1 }, limit: 7, skip: 3, projection: { seq: 1, _id: 0 } },
  { filter: { sessionid: 's3', seq: { $gte: 5, $lte: 15 } }, sort: { seq: -1 } },
  { filter: { sessionid: 's1', senduid: 'u1', uuid: 'm7' } },
  { filter: { sessionid: 's1', senduid: 'u2' }, sort: { uuid: 1 } },
  { filter: { sessionid: { $in: ['s1', 's3'] }, seq: { $lte: 5 } }, sort: { seq: -1, _id: 1 } },
  { filter: { uids: 'a' } },
  { filter: { uids: { $in: ['b', 'c'] } }, sort: { _id: -1 } },
  { filter: { uids: [] } },
  { filter: { _id: { $in: [1, 5, 9, 400] } } },
  { filter: { _id: 7, lastSeq: { $lt: 100 } } },
  { filter: { uid: 'a', time: { $gt: new Date(T0 + 20_000) } } },
  { filter: { uid: { $in: ['a', 'b'] }, time: { $gt: new Date(T0 + 10_000) } }, sort: { time: -1 }, limit: 4 },
  { filter: { v: null } },
  { filter: { v: { $exists: false } } },
  { filter: { v: 3 } },
  { filter: { v: { $gte: 2 } }, sort: { v: 1 } },
  { filter: { v: { $lt: 'n' } }, sort: { v: -1 } },
  { filter: { n: 1 } },
  { filter: { n: { $gt: 0 } }, sort: { n: -1 }, limit: 3 },
  { filter: {}, sort: { seq: -1 }, limit: 3 },
  { filter: {}, sort: { time: 1 }, limit: 5 },
  { filter: { login: 'user5@x' } },
];

function messages(from: number, count: number): Document[] {
  const seqs: Record<string, number> = {};
  return Array.from({ length: count }, (_, k) => {
    const i = from + k;
    const sessionid = `s${(i % 4) + 1}`;
    seqs[sessionid] = (seqs[sessionid] ?? from) + 1 + (i % 3 === 0 ? 1 : 0);
    const doc: Document = {
      _id: i,
      sessionid,
      seq: seqs[sessionid],
      senduid: `u${i % 3}`,
      uuid: `m${i}`,
      uids: i % 5 === 0 ? [] : [['a', 'b', 'c', 'd'][i % 4], ['a', 'b', 'c', 'd'][(i * 7) % 4]],
      uid: ['a', 'b', 'c'][i % 3],
      time: new Date(T0 + (i % 40) * 1000),
      lastSeq: i,
      login: `user${i}@x`,
    };
    // Mixed types and missing values for `v`; `n` only on some documents (sparse index).
    const v = [1, 2, 3, 'x', 'a', null, undefined, [2, 'z'], new Date(T0)][i % 9];
    if (v !== undefined) doc.v = v;
    if (i % 4 === 0) doc.n = i % 3;
    return doc;
  });
}

describe('devmongo index-backed queries over the driver match an unindexed collection', () => {
  const kit = new DevMongoTestKit();
  let server: DevMongoServer;
  let client: MongoClient;
  let db: Db;
  const ix = () => db.collection('ix');
  const plain = () => db.collection('plain');

  async function createIndexes(c: Collection): Promise<void> {
    await c.createIndexes([
      { key: { sessionid: 1, seq: 1 }, unique: true },
      { key: { sessionid: 1, senduid: 1, uuid: 1 }, unique: true },
      { key: { uids: 1 } },
      { key: { uid: 1 } },
      { key: { time: 1 } },
      { key: { v: 1 } },
      { key: { n: 1 }, sparse: true },
      { key: { login: 1 }, unique: true, sparse: true },
    ]);
  }

  async function connect(options: { compactThresholdBytes?: number } = {}): Promise<void> {
    server = await kit.startServer({ ttlSweepIntervalMs: 60_000, ...options });
    client = await kit.client(server);
    db = client.db('idxq');
  }

  /** Runs every probe (find, count, distinct) on both collections and compares results and order. */
  async function assertSame(label: string): Promise<void> {
    for (const p of PROBES) {
      const filter = p.filter as Filter<Document>;
      const run = (c: Collection) => {
        let cursor = c.find(filter, p.projection ? { projection: p.projection } : {});
        if (p.sort) cursor = cursor.sort(p.sort);
        if (p.skip) cursor = cursor.skip(p.skip);
        if (p.limit) cursor = cursor.limit(p.limit);
        return cursor.toArray();
      };
      const what = `${label}: ${EJSON.stringify(p)}`;
      assert.equal(EJSON.stringify(await run(ix())), EJSON.stringify(await run(plain())), what);
      assert.equal(await ix().countDocuments(filter), await plain().countDocuments(filter), `count ${what}`);
      assert.deepEqual(await ix().distinct('uid', filter), await plain().distinct('uid', filter), `distinct ${what}`);
      assert.deepEqual(await ix().findOne(filter), await plain().findOne(filter), `findOne ${what}`);
    }
  }

  /** Applies the same writes to both collections. */
  async function both(write: (c: Collection) => Promise<unknown>): Promise<void> {
    await write(ix());
    await write(plain());
  }

  before(async () => {
    await connect();
    await createIndexes(ix());
    await both((c) => c.insertMany(messages(0, 160)));
  });
  after(() => kit.cleanup());

  it('answers equality, $in, range + sort (asc/desc, limit), multikey and missing-field queries alike', async () => {
    await assertSame('initial');
  });

  it('stays correct after updates of indexed fields, deletes, upserts and findOneAndUpdate', async () => {
    await both((c) => c.updateMany({ sessionid: 's1', seq: { $lt: 10 } }, { $inc: { seq: 1000 } }));
    await both((c) => c.updateOne({ _id: 3 as never }, { $set: { sessionid: 's9', v: 2 } }));
    await both((c) => c.updateOne({ _id: 4 as never }, { $unset: { uids: '', v: '' } }));
    await both((c) => c.replaceOne({ _id: 5 as never }, { sessionid: 's2', seq: 999, senduid: 'u2', uuid: 'r5', uids: ['z', 'a'], v: 'str' }));
    await both((c) => c.deleteMany({ sessionid: 's3', seq: { $gt: 20 } }));
    await both((c) => c.deleteOne({ uids: 'd' }));
    await both((c) =>
      c.updateOne({ _id: 1000 as never, sessionid: 's4', seq: 777 }, { $set: { senduid: 'u0', uuid: 'up', uids: ['a'], v: 3 } }, { upsert: true }),
    );
    await both((c) => c.findOneAndUpdate({ sessionid: 's2', seq: { $gt: 5 } }, { $set: { uids: ['q', 'a'], seq: 555 } }, { sort: { seq: 1 } }));
    await both((c) => c.findOneAndDelete({ uid: 'b', time: { $gt: new Date(T0 + 30_000) } }, { sort: { time: -1 } }));
    await both((c) => c.updateMany({ uids: 'b' }, { $pull: { uids: 'b' } as never }));
    await both((c) => c.insertMany(messages(2000, 40)));
    await assertSame('after writes');
  });

  it('rolls the indexes back with an aborted transaction', async () => {
    // Both collections go through the same aborted transaction: undoing a delete re-adds the
    // document at the end of natural order, which shows in unsorted results.
    for (const c of [ix(), plain()]) {
      const session = client.startSession();
      try {
        session.startTransaction();
        await c.insertOne({ _id: 5000 as never, sessionid: 's1', seq: 5000, senduid: 'u9', uuid: 't', uids: ['a'] }, { session });
        await c.updateMany({ sessionid: 's2' }, { $set: { sessionid: 's7' }, $inc: { seq: 1 } }, { session });
        await c.deleteMany({ uids: 'a' }, { session });
        await c.updateOne({ _id: 7 as never }, { $set: { uids: ['zz'], time: new Date(T0) } }, { session });
        assert.ok((await c.countDocuments({ sessionid: 's7' }, { session })) > 0);
        await session.abortTransaction();
      } finally {
        await session.endSession();
      }
    }
    assert.equal(await ix().countDocuments({ sessionid: 's7' }), 0);
    assert.equal(await ix().countDocuments({ _id: 5000 as never }), 0);
    await assertSame('after abort');
  });

  it('rebuilds the same indexes from the journal and from a snapshot at restart', async () => {
    await client.close();
    await server.close();
    await connect();
    await assertSame('after journal replay');
    await client.close();
    await server.close();
    await connect({ compactThresholdBytes: 1 });
    await client.close();
    await server.close();
    await connect();
    await assertSame('after snapshot replay');
  });

  it('answers alike after dropIndexes and after building indexes over existing data', async () => {
    await ix().dropIndexes();
    await assertSame('without indexes');
    await createIndexes(ix());
    await assertSame('after rebuilding');
  });
});
