import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { MongoClient, MongoServerError } from 'mongodb';
import { DataDirLockedError } from '../../../standins/mongo/DataDirLockedError';
import { DevMongoServer } from '../../../standins/mongo/DevMongoServer';
import { DevMongoTestKit, sleep } from './devMongoTestKit';

const mainTs = fileURLToPath(new URL('../../../standins/mongo/main.ts', import.meta.url));

describe('devmongo durability', () => {
  let kit: DevMongoTestKit;
  beforeEach(() => {
    kit = new DevMongoTestKit();
  });
  afterEach(() => kit.cleanup());

  async function withServer<T>(fn: (client: MongoClient) => Promise<T>, options = {}): Promise<T> {
    const server = await DevMongoServer.start({ dataDir: kit.dataDir, ...options });
    const client = new MongoClient(server.url, { serverSelectionTimeoutMS: 5000 });
    try {
      await client.connect();
      return await fn(client);
    } finally {
      await client.close();
      await server.close();
    }
  }

  it('keeps data, updates, deletes, drops and index definitions across a restart', async () => {
    await withServer(async (client) => {
      const c = client.db('dur').collection('users');
      await c.createIndex({ email: 1 }, { unique: true });
      await c.createIndex({ seen: 1 }, { expireAfterSeconds: 3600 });
      await c.insertMany([
        { _id: 1 as never, email: 'a@x', at: new Date(1000), n: 1.5, big: 2 ** 40 },
        { _id: 2 as never, email: 'b@x' },
        { _id: 3 as never, email: 'c@x' },
      ]);
      await c.updateOne({ _id: 2 as never }, { $set: { name: 'Bob' } });
      await c.deleteOne({ _id: 3 as never });
      await client.db('dur').collection('temp').insertOne({ x: 1 });
      await client.db('dur').collection('temp').drop();
      await client.db('gone').collection('x').insertOne({ x: 1 });
      await client.db('gone').dropDatabase();
    });
    await withServer(async (client) => {
      const c = client.db('dur').collection('users');
      const docs = await c.find().sort({ _id: 1 }).toArray();
      assert.deepEqual(docs, [
        { _id: 1, email: 'a@x', at: new Date(1000), n: 1.5, big: 2 ** 40 },
        { _id: 2, email: 'b@x', name: 'Bob' },
      ]);
      const indexes = await c.listIndexes().toArray();
      assert.deepEqual(indexes.map((i) => i.name), ['_id_', 'email_1', 'seen_1']);
      assert.equal(indexes[2].expireAfterSeconds, 3600);
      await assert.rejects(c.insertOne({ email: 'a@x' }), (err: MongoServerError) => err.code === 11000);
      const colls = (await client.db('dur').listCollections().toArray()).map((x) => x.name);
      assert.deepEqual(colls, ['users']);
      const dbs = (await client.db('admin').admin().listDatabases()).databases.map((d) => d.name);
      assert.ok(!dbs.includes('gone'));
    });
  });

  it('ignores a torn last journal record and keeps appending correctly afterwards', async () => {
    await withServer(async (client) => {
      await client.db('t').collection('c').insertMany([{ _id: 1 as never }, { _id: 2 as never }]);
    });
    const journal = path.join(kit.dataDir, 'journal.ndjson');
    fs.appendFileSync(journal, '{"op":"put","db":"t","coll":"c","doc":{"_id":{"$numberInt":"3"},"half');
    await withServer(async (client) => {
      assert.deepEqual((await client.db('t').collection('c').find().toArray()).map((d) => d._id), [1, 2]);
      await client.db('t').collection('c').insertOne({ _id: 4 as never });
    });
    assert.ok(!fs.readFileSync(journal, 'utf8').includes('half'), 'the torn tail was cut off');
    await withServer(async (client) => {
      assert.deepEqual((await client.db('t').collection('c').find().toArray()).map((d) => d._id), [1, 2, 4]);
    });
  });

  it('compacts a grown journal into a snapshot at start without losing anything', async () => {
    await withServer(async (client) => {
      const c = client.db('cmp').collection('c');
      await c.createIndex({ k: 1 }, { unique: true });
      for (let i = 0; i < 20; i++) await c.updateOne({ k: i % 5 }, { $inc: { v: 1 } }, { upsert: true });
    });
    const journal = path.join(kit.dataDir, 'journal.ndjson');
    const grown = fs.statSync(journal).size;
    await withServer(async (client) => {
      assert.equal(await client.db('cmp').collection('c').countDocuments(), 5);
      await client.db('cmp').collection('c').insertOne({ k: 99 });
    }, { compactThresholdBytes: 100 });
    assert.ok(fs.existsSync(path.join(kit.dataDir, 'snapshot.ndjson')));
    assert.ok(fs.statSync(journal).size < grown);
    await withServer(async (client) => {
      const docs = await client.db('cmp').collection('c').find({}, { projection: { _id: 0 } }).sort({ k: 1 }).toArray();
      assert.deepEqual(docs, [0, 1, 2, 3, 4].map((k) => ({ k, v: 4 })).concat([{ k: 99 } as never]));
      await assert.rejects(client.db('cmp').collection('c').insertOne({ k: 1 }), (err: MongoServerError) => err.code === 11000);
    });
  });

  it('refuses a second server on the same data directory', async () => {
    const server = await DevMongoServer.start({ dataDir: kit.dataDir });
    try {
      await assert.rejects(DevMongoServer.start({ dataDir: kit.dataDir }), DataDirLockedError);
    } finally {
      await server.close();
    }
  });

  it('survives kill -9 of the server process: acknowledged writes are replayed', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', mainTs, '--data-dir', kit.dataDir], {
      stdio: 'ignore',
      env: { ...process.env, DEVMONGO_IDLE_MS: '20000' },
    });
    const infoFile = path.join(kit.dataDir, 'server.json');
    const deadline = Date.now() + 15_000;
    while (!fs.existsSync(infoFile) && Date.now() < deadline) await sleep(50);
    const { port } = JSON.parse(fs.readFileSync(infoFile, 'utf8'));
    const client = new MongoClient(`mongodb://127.0.0.1:${port}/?directConnection=true`, { serverSelectionTimeoutMS: 5000 });
    await client.connect();
    await client.db('k').collection('c').insertMany(Array.from({ length: 50 }, (_, i) => ({ _id: i as never })));
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    await client.close(true).catch(() => undefined);
    await withServer(async (c2) => {
      assert.equal(await c2.db('k').collection('c').countDocuments(), 50);
    });
  });
});
