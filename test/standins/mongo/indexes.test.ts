import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MongoBulkWriteError, MongoServerError, type Db } from 'mongodb';
import { DevMongoTestKit, sleep } from './devMongoTestKit';

const isDup = (err: unknown) => err instanceof MongoServerError && err.code === 11000;

describe('devmongo indexes: unique, compound, sparse, partial, TTL', () => {
  const kit = new DevMongoTestKit();
  let db: Db;

  before(async () => {
    const server = await kit.startServer({ ttlSweepIntervalMs: 200 });
    db = (await kit.client(server)).db('idx');
  });
  after(() => kit.cleanup());

  it('enforces _id uniqueness and reports keyPattern/keyValue', async () => {
    const c = db.collection('ids');
    await c.insertOne({ _id: 'a' as never, v: 1 });
    await assert.rejects(c.insertOne({ _id: 'a' as never, v: 2 }), (err: MongoServerError) => {
      assert.equal(err.code, 11000);
      assert.deepEqual(err.keyPattern, { _id: 1 });
      assert.deepEqual(err.keyValue, { _id: 'a' });
      assert.match(err.message, /E11000 duplicate key error collection: idx\.ids index: _id_/);
      return true;
    });
    assert.equal((await c.findOne({ _id: 'a' as never }))?.v, 1);
  });

  it('rejects unique violations on insert, update and upsert without changing anything', async () => {
    const c = db.collection('users');
    await c.createIndex({ email: 1 }, { unique: true });
    await c.insertMany([
      { email: 'a@x', n: 1 },
      { email: 'b@x', n: 2 },
    ]);
    await assert.rejects(c.insertOne({ email: 'a@x', n: 3 }), (err: MongoServerError) => {
      assert.equal(err.code, 11000);
      assert.deepEqual(err.keyPattern, { email: 1 });
      assert.deepEqual(err.keyValue, { email: 'a@x' });
      return true;
    });
    await assert.rejects(c.updateOne({ email: 'b@x' }, { $set: { email: 'a@x', n: 99 } }), isDup);
    await assert.rejects(c.updateOne({ email: 'c@x' }, { $set: { email: 'a@x' } }, { upsert: true }), isDup);
    await assert.rejects(c.findOneAndUpdate({ email: 'b@x' }, { $set: { email: 'a@x' } }), isDup);
    await assert.rejects(c.replaceOne({ email: 'b@x' }, { email: 'a@x' }), isDup);
    const docs = await c.find({}, { projection: { _id: 0 } }).sort({ n: 1 }).toArray();
    assert.deepEqual(docs, [
      { email: 'a@x', n: 1 },
      { email: 'b@x', n: 2 },
    ]);
    // The freed key can be reused once its owner changes it.
    await c.updateOne({ email: 'a@x' }, { $set: { email: 'z@x' } });
    await c.insertOne({ email: 'a@x', n: 4 });
    assert.equal(await c.countDocuments(), 3);
  });

  it('enforces compound unique indexes on the combination only', async () => {
    const c = db.collection('members');
    await c.createIndex({ room: 1, user: 1 }, { unique: true, name: 'room_user' });
    await c.insertOne({ room: 'r1', user: 'u1' });
    await c.insertOne({ room: 'r1', user: 'u2' });
    await c.insertOne({ room: 'r2', user: 'u1' });
    await assert.rejects(c.insertOne({ room: 'r1', user: 'u1' }), (err: MongoServerError) => {
      assert.equal(err.code, 11000);
      assert.deepEqual(err.keyPattern, { room: 1, user: 1 });
      assert.deepEqual(err.keyValue, { room: 'r1', user: 'u1' });
      assert.match(err.message, /index: room_user/);
      return true;
    });
    await assert.rejects(c.updateOne({ room: 'r2' }, { $set: { room: 'r1' } }), isDup);
    await assert.rejects(c.updateOne({ room: 'r1', user: 'u1', x: 1 }, { $set: { y: 1 } }, { upsert: true }), isDup);
    assert.equal(await c.countDocuments(), 3);
    assert.equal(await c.countDocuments({ room: 'r2', user: 'u1' }), 1);
  });

  it('follows ordered and unordered insertMany semantics', async () => {
    const c = db.collection('bulk');
    await c.createIndex({ k: 1 }, { unique: true });
    await assert.rejects(c.insertMany([{ k: 1 }, { k: 1 }, { k: 2 }]), (err: MongoBulkWriteError) => {
      assert.equal(err.code, 11000);
      assert.equal(err.result.insertedCount, 1);
      return true;
    });
    assert.equal(await c.countDocuments(), 1);
    await assert.rejects(c.insertMany([{ k: 3 }, { k: 1 }, { k: 4 }], { ordered: false }), (err: MongoBulkWriteError) => {
      assert.equal(err.result.insertedCount, 2);
      assert.equal(err.writeErrors instanceof Array ? err.writeErrors[0].index : (err.writeErrors as { index: number }).index, 1);
      return true;
    });
    assert.deepEqual((await c.find({}, { projection: { _id: 0 } }).sort({ k: 1 }).toArray()).map((d) => d.k), [1, 3, 4]);
  });

  it('supports sparse and partial unique indexes and refuses to build over duplicates', async () => {
    const c = db.collection('sparse');
    await c.createIndex({ nick: 1 }, { unique: true, sparse: true });
    await c.insertMany([{ a: 1 }, { a: 2 }]);
    await c.insertOne({ nick: 'n' });
    await assert.rejects(c.insertOne({ nick: 'n' }), isDup);

    const p = db.collection('partial');
    await p.createIndex({ code: 1 }, { unique: true, partialFilterExpression: { active: true } });
    await p.insertMany([{ code: 'x', active: false }, { code: 'x', active: true }]);
    await assert.rejects(p.insertOne({ code: 'x', active: true }), isDup);

    const d = db.collection('dups');
    await d.insertMany([{ v: 1 }, { v: 1 }]);
    await assert.rejects(d.createIndex({ v: 1 }, { unique: true }), isDup);
    assert.deepEqual((await d.listIndexes().toArray()).map((i) => i.name), ['_id_']);
  });

  it('lists and drops indexes', async () => {
    const c = db.collection('listing');
    await c.createIndex({ a: 1 });
    await c.createIndex({ b: -1, c: 1 }, { unique: true });
    assert.equal(await c.createIndex({ a: 1 }), 'a_1', 'creating an identical index again is a no-op');
    const specs = await c.listIndexes().toArray();
    assert.deepEqual(specs.map((i) => i.name), ['_id_', 'a_1', 'b_-1_c_1']);
    assert.equal(specs[2].unique, true);
    await c.dropIndex('a_1');
    await assert.rejects(c.dropIndex('a_1'), (err: MongoServerError) => err.code === 27);
    await assert.rejects(c.dropIndex('_id_'), (err: MongoServerError) => err.code === 72);
    await c.dropIndexes();
    assert.deepEqual((await c.listIndexes().toArray()).map((i) => i.name), ['_id_']);
    await c.insertMany([{ b: 1, c: 1 }, { b: 1, c: 1 }]); // unique constraint gone with the index
    await assert.rejects(db.collection('nope').listIndexes().toArray(), (err: MongoServerError) => err.code === 26);
  });

  it('expires documents through a TTL index', async () => {
    const c = db.collection('sessions');
    await c.createIndex({ expiresAt: 1 }, { expireAfterSeconds: 0 });
    await c.createIndex({ createdAt: 1 }, { expireAfterSeconds: 3600 });
    await c.insertMany([
      { name: 'soon', expiresAt: new Date(Date.now() + 500) },
      { name: 'later', expiresAt: new Date(Date.now() + 60_000) },
      { name: 'fresh', createdAt: new Date() },
      { name: 'no-date', expiresAt: 'not a date' },
    ]);
    assert.equal(await c.countDocuments(), 4);
    const deadline = Date.now() + 5000;
    while ((await c.countDocuments({ name: 'soon' })) > 0 && Date.now() < deadline) await sleep(100);
    assert.equal(await c.countDocuments({ name: 'soon' }), 0, 'expired document removed');
    assert.deepEqual((await c.find().sort({ name: 1 }).toArray()).map((d) => d.name), ['fresh', 'later', 'no-date']);
  });
});
