import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MongoServerError, ObjectId, type Db, type MongoClient } from 'mongodb';
import { DevMongoTestKit } from './devMongoTestKit';

describe('devmongo CRUD, queries and catalog over the official driver', () => {
  const kit = new DevMongoTestKit();
  let client: MongoClient;
  let db: Db;

  before(async () => {
    const server = await kit.startServer();
    client = await kit.client(server);
    db = client.db('crud');
  });
  after(() => kit.cleanup());

  it('inserts, generates ObjectIds and applies update operators', async () => {
    interface OpsDoc {
      name?: string;
      n: number;
      tags: string[];
      list: number[];
      profile?: { city: string };
      best?: number;
      touched?: Date;
    }
    const c = db.collection<OpsDoc>('ops');
    const { insertedId } = await c.insertOne({ name: 'ann', n: 1, tags: ['a'], list: [1, 2, 3] });
    assert.ok(insertedId instanceof ObjectId);
    const r = await c.updateOne(
      { _id: insertedId },
      {
        $set: { 'profile.city': 'Oslo' },
        $inc: { n: 4 },
        $push: { list: { $each: [4, 5], $slice: -3 } },
        $addToSet: { tags: { $each: ['a', 'b'] } },
        $unset: { name: '' },
        $max: { best: 10 },
        $currentDate: { touched: true },
      },
    );
    assert.equal(r.matchedCount, 1);
    assert.equal(r.modifiedCount, 1);
    const doc = await c.findOne({ _id: insertedId });
    assert.ok(doc);
    assert.equal(doc.n, 5);
    assert.deepEqual(doc.list, [3, 4, 5]);
    assert.deepEqual(doc.tags, ['a', 'b']);
    assert.equal(doc.profile?.city, 'Oslo');
    assert.equal(doc.best, 10);
    assert.ok(doc.touched instanceof Date);
    assert.equal('name' in doc, false);
    assert.deepEqual(Object.keys(doc)[0], '_id');

    await c.updateOne({ _id: insertedId }, { $pull: { tags: 'a' }, $min: { best: 3 } });
    const again = await c.findOne({ _id: insertedId });
    assert.deepEqual(again?.tags, ['b']);
    assert.equal(again?.best, 3);

    const noop = await c.updateOne({ _id: insertedId }, { $set: { n: 5 } });
    assert.equal(noop.matchedCount, 1);
    assert.equal(noop.modifiedCount, 0, 'a $set to the same value modifies nothing');
  });

  it('upserts with $setOnInsert and the filter equality seed, and replaces documents', async () => {
    const c = db.collection('upserts');
    const r1 = await c.updateOne({ key: 'k1', 'meta.kind': 'x' }, { $inc: { hits: 1 }, $setOnInsert: { created: 'now' } }, { upsert: true });
    assert.equal(r1.upsertedCount, 1);
    assert.ok(r1.upsertedId instanceof ObjectId);
    const r2 = await c.updateOne({ key: 'k1', 'meta.kind': 'x' }, { $inc: { hits: 1 }, $setOnInsert: { created: 'later' } }, { upsert: true });
    assert.equal(r2.upsertedCount, 0);
    assert.equal(r2.modifiedCount, 1);
    const doc = await c.findOne({ key: 'k1' });
    assert.equal(doc?.hits, 2);
    assert.equal(doc?.created, 'now');
    assert.deepEqual(doc?.meta, { kind: 'x' });

    const rep = await c.replaceOne({ key: 'k1' }, { key: 'k1', replaced: true });
    assert.equal(rep.modifiedCount, 1);
    const replaced = await c.findOne({ key: 'k1' });
    assert.equal(replaced?._id.toHexString(), doc?._id.toHexString());
    assert.equal(replaced?.hits, undefined);

    const up = await c.replaceOne({ _id: 'fixed' as never }, { v: 1 }, { upsert: true });
    assert.equal(up.upsertedId, 'fixed');

    await assert.rejects(
      c.updateOne({ key: 'k1' }, { $set: { _id: new ObjectId() } }),
      (err: MongoServerError) => err.code === 66,
    );
  });

  it('updateMany and deleteOne/deleteMany report counts', async () => {
    const c = db.collection('many');
    await c.insertMany([{ g: 1 }, { g: 1 }, { g: 2 }, { g: 3 }]);
    const u = await c.updateMany({ g: { $lte: 2 } }, { $set: { seen: true } });
    assert.equal(u.matchedCount, 3);
    assert.equal(u.modifiedCount, 3);
    assert.equal((await c.deleteOne({ g: 1 })).deletedCount, 1);
    assert.equal((await c.deleteMany({ seen: true })).deletedCount, 2);
    assert.equal(await c.countDocuments(), 1);
  });

  it('sorts, skips, limits and projects', async () => {
    const c = db.collection('people');
    await c.insertMany(Array.from({ length: 10 }, (_, i) => ({ i, age: (i * 7) % 10, name: `p${i}`, secret: 'x' })));
    const page = await c.find({ age: { $gte: 2 } }, { projection: { name: 1, age: 1, _id: 0 } }).sort({ age: -1 }).skip(1).limit(3).toArray();
    assert.deepEqual(page, [
      { name: 'p4', age: 8 },
      { name: 'p1', age: 7 },
      { name: 'p8', age: 6 },
    ]);
    const excl = await c.findOne({ i: 3 }, { projection: { secret: 0 } });
    assert.equal(excl?.secret, undefined);
    assert.equal(excl?.name, 'p3');
    const regex = await c.find({ name: /^p[12]$/ }).sort({ name: 1 }).toArray();
    assert.deepEqual(regex.map((d) => d.name), ['p1', 'p2']);
  });

  it('pages a cursor across getMore batches and killCursors', async () => {
    const c = db.collection('big');
    await c.insertMany(Array.from({ length: 250 }, (_, i) => ({ i })));
    const all = await c.find({}, { batchSize: 20 }).sort({ i: 1 }).toArray();
    assert.equal(all.length, 250);
    assert.deepEqual(all.map((d) => d.i), Array.from({ length: 250 }, (_, i) => i));
    const cursor = c.find({}, { batchSize: 5 });
    assert.ok(await cursor.next());
    await cursor.close(); // sends killCursors
    const first = await c.find().limit(3).toArray();
    assert.deepEqual(first.map((d) => d.i), [0, 1, 2]);
    const last = await c.find().sort({ $natural: -1 }).limit(1).toArray();
    assert.equal(last[0].i, 249);
  });

  it('findOneAndUpdate returns the new document and upserts; findOneAndDelete removes', async () => {
    const c = db.collection('counters');
    const created = await c.findOneAndUpdate({ _id: 'seq' as never }, { $inc: { v: 1 } }, { upsert: true, returnDocument: 'after' });
    assert.deepEqual(created, { _id: 'seq', v: 1 });
    const before = await c.findOneAndUpdate({ _id: 'seq' as never }, { $inc: { v: 1 } }, { returnDocument: 'before' });
    assert.equal(before?.v, 1);
    const afterDoc = await c.findOneAndUpdate({ _id: 'seq' as never }, { $inc: { v: 10 } }, { returnDocument: 'after', projection: { v: 1, _id: 0 } });
    assert.deepEqual(afterDoc, { v: 12 });
    const missing = await c.findOneAndUpdate({ _id: 'none' as never }, { $set: { v: 1 } });
    assert.equal(missing, null);
    const removed = await c.findOneAndDelete({ _id: 'seq' as never });
    assert.equal(removed?.v, 12);
    assert.equal(await c.countDocuments(), 0);
  });

  it('counts, estimates and lists distinct values', async () => {
    const c = db.collection('dist');
    await c.insertMany([{ t: 'a', k: [1, 2] }, { t: 'b', k: [2, 3] }, { t: 'a' }]);
    assert.equal(await c.countDocuments({ t: 'a' }), 2);
    assert.equal(await c.countDocuments({}, { limit: 2 }), 2);
    assert.equal(await c.estimatedDocumentCount(), 3);
    assert.deepEqual((await c.distinct('t')).sort(), ['a', 'b']);
    assert.deepEqual((await c.distinct('k', { t: { $in: ['a', 'b'] } })).sort(), [1, 2, 3]);
  });

  it('aggregates with $group, $lookup, $unwind, $project and $count', async () => {
    const users = db.collection('users');
    const orders = db.collection('orders');
    await users.insertMany([
      { _id: 'u1' as never, name: 'Ann' },
      { _id: 'u2' as never, name: 'Bob' },
    ]);
    await orders.insertMany([
      { user: 'u1', total: 10 },
      { user: 'u1', total: 5 },
      { user: 'u2', total: 7 },
    ]);
    const totals = await orders
      .aggregate([
        { $group: { _id: '$user', sum: { $sum: '$total' }, n: { $sum: 1 } } },
        { $lookup: { from: 'users', localField: '_id', foreignField: '_id', as: 'user' } },
        { $unwind: '$user' },
        { $project: { _id: 0, name: '$user.name', sum: 1, n: 1 } },
        { $sort: { sum: -1 } },
      ])
      .toArray();
    assert.deepEqual(totals, [
      { sum: 15, n: 2, name: 'Ann' },
      { sum: 7, n: 1, name: 'Bob' },
    ]);
    const [counted] = await orders.aggregate([{ $match: { total: { $gt: 6 } } }, { $count: 'big' }]).toArray();
    assert.deepEqual(counted, { big: 2 });
    const stored = await users.findOne({ _id: 'u1' as never });
    assert.deepEqual(stored, { _id: 'u1', name: 'Ann' }, 'pipelines must not modify stored documents');
    await assert.rejects(orders.aggregate([{ $bogusStage: {} }]).toArray(), (err: MongoServerError) => err.code === 40324);
  });

  it('manages collections and databases: create, listCollections, drop, dropDatabase, listDatabases', async () => {
    const other = client.db('catalog');
    await other.createCollection('alpha');
    await other.collection('beta').insertOne({ x: 1 });
    await assert.rejects(other.createCollection('alpha'), (err: MongoServerError) => err.code === 48);
    const names = (await other.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).sort();
    assert.deepEqual(names, ['alpha', 'beta']);
    const filtered = await other.listCollections({ name: 'beta' }).toArray();
    assert.equal(filtered.length, 1);
    assert.equal(filtered[0].type, 'collection');
    const dbs = await client.db('admin').admin().listDatabases();
    assert.ok(dbs.databases.some((d) => d.name === 'catalog'));
    assert.equal(await other.collection('beta').drop(), true);
    assert.deepEqual((await other.listCollections().toArray()).map((c) => c.name), ['alpha']);
    assert.equal(await other.dropDatabase(), true);
    assert.equal((await other.listCollections().toArray()).length, 0);
    const after = await client.db('admin').admin().listDatabases();
    assert.ok(!after.databases.some((d) => d.name === 'catalog'));
  });

  it('answers unknown commands with CommandNotFound and rejects oversized documents with 10334', async () => {
    await assert.rejects(db.command({ noSuchThing: 1 }), (err: MongoServerError) => err.code === 59 && err.codeName === 'CommandNotFound');
    const c = db.collection('huge');
    await c.insertOne({ _id: 1 as never, blob: 'x'.repeat(9 * 1024 * 1024) });
    await assert.rejects(
      c.updateOne({ _id: 1 as never }, { $set: { blob2: 'y'.repeat(9 * 1024 * 1024) } }),
      (err: MongoServerError) => err.code === 10334,
    );
    const kept = await c.findOne({ _id: 1 as never }, { projection: { blob2: 1 } });
    assert.deepEqual(kept, { _id: 1 });
    const ping = await db.command({ ping: 1 });
    assert.equal(ping.ok, 1);
  });
});
