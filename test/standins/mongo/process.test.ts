import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { BSON, Long, UUID } from 'bson';
import { MongoClient } from 'mongodb';
import { ensureDevMongo } from '../../../standins/mongo/ensureDevMongo';
import { PidLockFile } from '../../../standins/supervisor/PidLockFile';
import { OP_MSG, OP_QUERY, OP_REPLY, WireCodec } from '../../../standins/mongo/WireCodec';
import { WireMessageFramer } from '../../../standins/mongo/WireMessageFramer';
import { DevMongoTestKit, sleep } from './devMongoTestKit';

/** Sends raw bytes and collects reply frames until the socket closes or `waitMs` passes. */
async function rawExchange(port: number, payloads: Buffer[], waitMs = 300): Promise<{ frames: Buffer[]; closed: boolean }> {
  const socket = net.connect({ host: '127.0.0.1', port });
  const framer = new WireMessageFramer();
  const frames: Buffer[] = [];
  let closed = false;
  socket.on('data', (chunk: Buffer) => frames.push(...framer.push(chunk)));
  socket.on('close', () => (closed = true));
  socket.on('error', () => undefined);
  await new Promise((r) => socket.once('connect', r));
  for (const p of payloads) socket.write(p);
  const deadline = Date.now() + waitMs;
  while (!closed && Date.now() < deadline) await sleep(20);
  socket.destroy();
  return { frames, closed };
}

function opMsg(body: object, flags = 0): Buffer {
  const bson = BSON.serialize(body);
  const header = Buffer.alloc(21);
  header.writeInt32LE(21 + bson.length, 0);
  header.writeInt32LE(7, 4);
  header.writeInt32LE(OP_MSG, 12);
  header.writeUInt32LE(flags, 16);
  return Buffer.concat([header, bson]);
}

async function waitForExit(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!PidLockFile.isProcessAlive(pid)) return true;
    await sleep(100);
  }
  return false;
}

describe('devmongo wire robustness', () => {
  const kit = new DevMongoTestKit();
  after(() => kit.cleanup());

  it('survives garbage, bad lengths, unknown opcodes and broken BSON, and still serves the driver', async () => {
    const server = await kit.startServer();
    const http = await rawExchange(server.port, [Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')]);
    assert.equal(http.closed, true, 'an impossible length closes the socket');
    const tiny = Buffer.alloc(8);
    tiny.writeInt32LE(8, 0);
    assert.equal((await rawExchange(server.port, [tiny])).closed, true);
    const huge = Buffer.alloc(16);
    huge.writeInt32LE(60 * 1024 * 1024, 0);
    assert.equal((await rawExchange(server.port, [huge])).closed, true, 'messages over 48 MB are refused');
    const unknownOp = Buffer.alloc(20);
    unknownOp.writeInt32LE(20, 0);
    unknownOp.writeInt32LE(9999, 12);
    assert.equal((await rawExchange(server.port, [unknownOp])).closed, true);
    const random = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) & 0xff));
    await rawExchange(server.port, [random]);

    // Well framed but the BSON inside is corrupt: answered with an error, connection kept.
    const broken = opMsg({ ping: 1, $db: 'admin' });
    broken.writeInt32LE(9999, 21); // BSON length field lies
    const good = opMsg({ ping: 1, $db: 'admin' });
    const mixed = await rawExchange(server.port, [broken, good]);
    assert.equal(mixed.frames.length, 2);
    assert.equal(WireCodec.decodeMsgBody(mixed.frames[0]).ok, 0);
    assert.equal(WireCodec.decodeMsgBody(mixed.frames[1]).ok, 1);

    // moreToCome: no reply for the first, a reply for the second; checksumPresent trailer ignored.
    const quiet = opMsg({ insert: 'q', documents: [{ a: 1 }], $db: 'raw' }, 1 << 1);
    const withChecksum = Buffer.concat([opMsg({ count: 'q', $db: 'raw' }, 1), Buffer.alloc(4)]);
    withChecksum.writeInt32LE(withChecksum.length, 0);
    const r = await rawExchange(server.port, [quiet, withChecksum]);
    assert.equal(r.frames.length, 1);
    assert.equal(WireCodec.decodeMsgBody(r.frames[0]).n, 1);

    // Legacy OP_QUERY handshake is answered with OP_REPLY.
    const q = BSON.serialize({ isMaster: 1 });
    const ns = Buffer.from('admin.$cmd\0');
    const legacy = Buffer.alloc(16 + 4 + ns.length + 8);
    legacy.writeInt32LE(legacy.length + q.length, 0);
    legacy.writeInt32LE(OP_QUERY, 12);
    ns.copy(legacy, 20);
    legacy.writeInt32LE(-1, 20 + ns.length + 4);
    const lr = await rawExchange(server.port, [Buffer.concat([legacy, q])]);
    assert.equal(lr.frames[0].readInt32LE(12), OP_REPLY);
    const replyDoc = BSON.deserialize(lr.frames[0].subarray(36));
    assert.equal(replyDoc.ismaster, true);
    assert.equal(replyDoc.setName, 'devmongo');

    const client = await kit.client(server);
    assert.equal((await client.db('admin').command({ ping: 1 })).ok, 1);
    assert.equal(await client.db('raw').collection('q').countDocuments(), 1);
  });
});

describe('devmongo transaction rollback on disconnect', () => {
  const kit = new DevMongoTestKit();
  after(() => kit.cleanup());

  it('rolls back and releases the lock when the socket of an open transaction closes', async () => {
    const server = await kit.startServer({ transactionLockTimeoutMs: 2000 });
    const lsid = { id: new UUID() };
    const start = opMsg({
      insert: 'c',
      documents: [{ _id: 'raw-txn' }],
      lsid,
      txnNumber: Long.fromNumber(1),
      startTransaction: true,
      autocommit: false,
      $db: 'rb',
    });
    const r = await rawExchange(server.port, [start], 200); // the socket is closed afterwards
    assert.equal(WireCodec.decodeMsgBody(r.frames[0]).ok, 1);
    const client = await kit.client(server);
    const c = client.db('rb').collection('c');
    const t0 = Date.now();
    await c.insertOne({ _id: 'after' as never });
    assert.ok(Date.now() - t0 < 1500, 'the lock was released by the disconnect, not by a timeout');
    assert.deepEqual((await c.find().toArray()).map((d) => d._id), ['after']);
  });
});

describe('ensureDevMongo', () => {
  const kit = new DevMongoTestKit();
  const pids: number[] = [];
  after(async () => {
    for (const pid of pids) if (PidLockFile.isProcessAlive(pid)) process.kill(pid, 'SIGTERM');
    await kit.cleanup();
  });

  it('starts one detached server for concurrent callers, reuses it, stops on SIGTERM and exits when idle', async () => {
    process.env.DEVMONGO_IDLE_MS = '1500';
    const infoFile = path.join(kit.dataDir, 'devmongo', 'server.json');
    const [a, b] = await Promise.all([ensureDevMongo({ dataDir: kit.dataDir }), ensureDevMongo({ dataDir: kit.dataDir })]);
    assert.equal(a.url, b.url);
    assert.deepEqual([a.started, b.started].sort(), [false, true]);
    assert.match(a.url, /^mongodb:\/\/127\.0\.0\.1:\d+\/\?directConnection=true$/);
    const { pid } = JSON.parse(fs.readFileSync(infoFile, 'utf8'));
    pids.push(pid);
    assert.notEqual(pid, process.pid);

    const client = new MongoClient(a.url, { serverSelectionTimeoutMS: 5000 });
    await client.connect();
    await client.db('app').collection('c').insertOne({ _id: 'persisted' as never });
    const again = await ensureDevMongo({ dataDir: kit.dataDir });
    assert.deepEqual(again, { url: a.url, started: false });
    await client.close();

    process.kill(pid, 'SIGTERM');
    assert.equal(await waitForExit(pid, 5000), true, 'SIGTERM stops the server');
    assert.equal(fs.existsSync(infoFile), false, 'server.json is removed on shutdown');

    const restarted = await ensureDevMongo({ dataDir: kit.dataDir });
    assert.equal(restarted.started, true);
    const second = JSON.parse(fs.readFileSync(infoFile, 'utf8')).pid as number;
    pids.push(second);
    const c2 = new MongoClient(restarted.url, { serverSelectionTimeoutMS: 5000 });
    await c2.connect();
    assert.equal(await c2.db('app').collection('c').countDocuments({ _id: 'persisted' as never }), 1);
    await c2.close();
    assert.equal(await waitForExit(second, 8000), true, 'the server exits by itself after DEVMONGO_IDLE_MS without clients');
    delete process.env.DEVMONGO_IDLE_MS;
  });
});
