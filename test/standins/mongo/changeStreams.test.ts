import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ChangeStreamDocument, MongoClient } from 'mongodb';
import { DevMongoTestKit } from './devMongoTestKit';

describe('devmongo change streams', () => {
  const kit = new DevMongoTestKit();
  let watcher: MongoClient;
  let writer: MongoClient;

  before(async () => {
    const server = await kit.startServer();
    watcher = await kit.client(server);
    writer = await kit.client(server);
  });
  after(() => kit.cleanup());

  it('sees inserts, updates (with updateLookup), replaces and deletes made by another client', async () => {
    const stream = watcher.db('cs').collection('msgs').watch([], { fullDocument: 'updateLookup', maxAwaitTimeMS: 200 });
    assert.equal(await stream.tryNext(), null); // opens the stream before anything is written
    const c = writer.db('cs').collection('msgs');
    await writer.db('cs').collection('other').insertOne({ ignored: true });
    const { insertedId } = await c.insertOne({ text: 'hi' });
    await c.updateOne({ _id: insertedId }, { $set: { text: 'edited' }, $unset: { nothing: '' } });
    await c.replaceOne({ _id: insertedId }, { text: 'replaced' });
    await c.deleteOne({ _id: insertedId });

    const events: ChangeStreamDocument[] = [];
    while (events.length < 4) events.push(await stream.next());
    assert.deepEqual(events.map((e) => e.operationType), ['insert', 'update', 'replace', 'delete']);
    const [ins, upd, rep, del] = events as any[];
    assert.equal(ins.fullDocument.text, 'hi');
    assert.deepEqual(ins.ns, { db: 'cs', coll: 'msgs' });
    assert.equal(ins.documentKey._id.toHexString(), insertedId.toHexString());
    assert.deepEqual(upd.updateDescription.updatedFields, { text: 'edited' });
    // updateLookup returns the document as it is now (already deleted by the time we look).
    assert.ok(upd.fullDocument === null || upd.fullDocument.text !== undefined);
    assert.equal(rep.fullDocument.text, 'replaced');
    assert.equal(del.documentKey._id.toHexString(), insertedId.toHexString());
    assert.ok(typeof ins._id._data === 'string', 'events carry resume tokens');
    assert.ok(stream.resumeToken);
    await stream.close();
  });

  it('resumes after a token and filters with a pipeline', async () => {
    const c = writer.db('cs').collection('resume');
    const stream = watcher.db('cs').collection('resume').watch([{ $match: { operationType: 'insert' } }], { maxAwaitTimeMS: 200 });
    await stream.tryNext();
    await c.insertOne({ n: 1 });
    const first = await stream.next();
    const token = stream.resumeToken;
    await stream.close();
    await c.updateMany({}, { $set: { seen: true } });
    await c.insertOne({ n: 2 });
    await c.insertOne({ n: 3 });
    const resumed = watcher.db('cs').collection('resume').watch([{ $match: { operationType: 'insert' } }], { resumeAfter: token, maxAwaitTimeMS: 200 });
    const a = (await resumed.next()) as any;
    const b = (await resumed.next()) as any;
    assert.equal((first as any).fullDocument.n, 1);
    assert.deepEqual([a.fullDocument.n, b.fullDocument.n], [2, 3]);
    await resumed.close();
  });

  it('watches a whole database and reports events from transactions only at commit', async () => {
    const stream = watcher.db('csdb').watch([], { maxAwaitTimeMS: 200 });
    await stream.tryNext();
    const session = writer.startSession();
    session.startTransaction();
    await writer.db('csdb').collection('x').insertOne({ tx: 1 }, { session });
    assert.equal(await stream.tryNext(), null, 'uncommitted writes are not published');
    await session.commitTransaction();
    await session.endSession();
    const event = (await stream.next()) as any;
    assert.equal(event.operationType, 'insert');
    assert.equal(event.ns.coll, 'x');
    await stream.close();
  });
});
