import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { MongoClient, MongoServerError } from 'mongodb';
import { DevMongoTestKit, sleep } from './devMongoTestKit';
import type { DevMongoServer } from '../../../standins/mongo/DevMongoServer';

describe('devmongo transactions', () => {
  let kit: DevMongoTestKit;
  let server: DevMongoServer;
  let client: MongoClient;

  beforeEach(async () => {
    kit = new DevMongoTestKit();
    server = await kit.startServer({ transactionLockTimeoutMs: 500 });
    client = await kit.client(server);
  });
  afterEach(() => kit.cleanup());

  const journalText = () => fs.readFileSync(path.join(kit.dataDir, 'journal.ndjson'), 'utf8');

  it('commits: writes become visible and are journaled as one record', async () => {
    const c = client.db('tx').collection('accounts');
    await c.insertMany([
      { _id: 'a' as never, balance: 100 },
      { _id: 'b' as never, balance: 0 },
    ]);
    const session = client.startSession();
    try {
      await session.withTransaction(async () => {
        await c.updateOne({ _id: 'a' as never }, { $inc: { balance: -30 } }, { session });
        await c.updateOne({ _id: 'b' as never }, { $inc: { balance: 30 } }, { session });
        await c.insertOne({ _id: 'log1' as never, note: 'committed-marker' }, { session });
        const inside = await c.findOne({ _id: 'b' as never }, { session });
        assert.equal(inside?.balance, 30, 'a transaction reads its own writes');
      });
    } finally {
      await session.endSession();
    }
    assert.equal((await c.findOne({ _id: 'a' as never }))?.balance, 70);
    assert.equal((await c.findOne({ _id: 'b' as never }))?.balance, 30);
    const txnLines = journalText().split('\n').filter((l) => l.includes('committed-marker'));
    assert.equal(txnLines.length, 1);
    assert.match(txnLines[0], /^\{"op":"txn"/);
  });

  it('aborts: writes are rolled back and nothing reaches the journal', async () => {
    const c = client.db('tx').collection('items');
    await c.insertOne({ _id: 'keep' as never, v: 1 });
    const session = client.startSession();
    session.startTransaction();
    await c.insertOne({ _id: 'ghost' as never, note: 'aborted-marker' }, { session });
    await c.updateOne({ _id: 'keep' as never }, { $set: { v: 2 } }, { session });
    await c.deleteOne({ _id: 'keep' as never }, { session });
    await client.db('tx').collection('brandnew').insertOne({ note: 'aborted-marker' }, { session });
    await session.abortTransaction();
    await session.endSession();
    assert.equal(await c.countDocuments({ _id: 'ghost' as never }), 0);
    assert.deepEqual(await c.findOne({ _id: 'keep' as never }), { _id: 'keep', v: 1 });
    const names = (await client.db('tx').listCollections().toArray()).map((x) => x.name);
    assert.ok(!names.includes('brandnew'), 'a collection created inside the transaction is rolled back');
    assert.ok(!journalText().includes('aborted-marker'));
  });

  it('aborts the transaction when a write inside it fails', async () => {
    const c = client.db('tx').collection('uniq');
    await c.insertOne({ _id: 1 as never });
    const session = client.startSession();
    await assert.rejects(
      session.withTransaction(async () => {
        await c.insertOne({ _id: 2 as never }, { session });
        await c.insertOne({ _id: 1 as never }, { session });
      }),
      (err: MongoServerError) => err.code === 11000,
    );
    await session.endSession();
    assert.equal(await c.countDocuments(), 1, 'the earlier write in the failed transaction was rolled back');
  });

  it('runs two concurrent withTransaction calls serially, both succeeding', async () => {
    const c = client.db('tx').collection('counter');
    await c.insertOne({ _id: 'n' as never, v: 0 });
    const other = await kit.client(server);
    const bump = async (mc: MongoClient) => {
      const session = mc.startSession();
      try {
        await session.withTransaction(async () => {
          const coll = mc.db('tx').collection('counter');
          const cur = await coll.findOne({ _id: 'n' as never }, { session });
          await sleep(700); // longer than the lock timeout: the other one must wait and retry
          await coll.updateOne({ _id: 'n' as never }, { $set: { v: (cur?.v ?? 0) + 1 } }, { session });
        });
      } finally {
        await session.endSession();
      }
    };
    await Promise.all([bump(client), bump(other)]);
    assert.equal((await c.findOne({ _id: 'n' as never }))?.v, 2, 'no lost update: transactions were serialised');
  });

  it('makes plain writes wait for an open transaction and rolls back a transaction whose client goes away', async () => {
    const c = client.db('tx').collection('mixed');
    const quitter = await kit.client(server);
    const session = quitter.startSession();
    session.startTransaction();
    await quitter.db('tx').collection('mixed').insertOne({ _id: 'half' as never }, { session });
    const plain = c.insertOne({ _id: 'plain' as never });
    await sleep(100);
    await quitter.close(); // disconnect mid-transaction
    await plain;
    assert.deepEqual((await c.find().toArray()).map((d) => d._id), ['plain']);
  });

  it('rejects commit of an unknown transaction with NoSuchTransaction', async () => {
    const session = client.startSession();
    await assert.rejects(
      client.db('admin').command({ commitTransaction: 1 }, { session }),
      (err: MongoServerError) => err.code === 50768 || err.code === 251,
    );
    await session.endSession();
  });
});
