/**
 * md5 collisions never replace files (issue 10, finding 3): contents are keyed by sha256, md5 is the
 * client's integrity check and a lookup key. Records stored before (md5 only, md5-derived path) keep working.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ObjectId } from 'mongodb';
import type { Database } from '../../storage/Database';
import type { FileDoc } from '../../storage/documents';
import { connectSocket, createGroup, emitAck, http, registerUser, sessionToken, type TestSocket, type TestUser } from '../support/client';
import { startServer, type RunningServer } from '../support/server';
import { fetchBytes, listFiles, md5, randomBytesOf, serverDatabase, upload } from '../support/files';

/** The first public MD5 collision (Wang and Yu, 2004): two 128-byte blocks that differ in 6 bytes. */
const COLLISION_A = Buffer.from(
  'd131dd02c5e6eec4693d9a0698aff95c2fcab58712467eab4004583eb8fb7f8955ad340609f4b30283e488832571415a085125e8f7cdc99fd91dbdf280373c5b' +
    'd8823e3156348f5bae6dacd436c919c6dd53e2b487da03fd02396306d248cda0e99f33420f577ee8ce54b67080a80d1ec69821bcb6a8839396f9652b6ff72a70',
  'hex',
);
const COLLISION_B = Buffer.from(
  'd131dd02c5e6eec4693d9a0698aff95c2fcab50712467eab4004583eb8fb7f8955ad340609f4b30283e4888325f1415a085125e8f7cdc99fd91dbd7280373c5b' +
    'd8823e3156348f5bae6dacd436c919c6dd53e23487da03fd02396306d248cda0e99f33420f577ee8ce54b67080280d1ec69821bcb6a8839396f965ab6ff72a70',
  'hex',
);
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

const DB_NAME = `cookim_files_collision_${randomBytes(4).toString('hex')}`;
let server: RunningServer;
let url: string;
let db: Database;
let alice: TestUser;
let carol: TestUser;

before(async () => {
  server = await startServer({ env: { MONGO_DB: DB_NAME } });
  url = server.url;
  [alice, carol] = await Promise.all([registerUser(url, 'Alice'), registerUser(url, 'Carol')]);
  db = await serverDatabase(server, DB_NAME);
});
after(async () => {
  await db?.close();
  await server.stop();
});

const filesDir = () => path.join(server.dataDir, 'files');
const contentPath = (key: string) => path.join(filesDir(), key.slice(0, 2), key.slice(2, 4), key);

describe('indexes', () => {
  // First, while the collection holds no colliding records (a unique md5 index would refuse them).
  test('a unique sha256 index replaces the unique md5 one, also on a database that had it', async () => {
    // A database from before: the unique md5 index, no sha256 one.
    await db.files.dropIndex('sha256_1');
    await db.files.dropIndex('md5_1');
    await db.files.createIndex({ md5: 1 }, { unique: true });
    await db.ensureIndexes();
    const indexes = await db.files.listIndexes().toArray();
    const byName = new Map(indexes.map((index) => [index.name, index]));
    assert.equal(byName.get('sha256_1')?.unique, true);
    assert.equal(byName.get('md5_1')?.unique, undefined, 'md5 is a plain lookup index now');
    await db.ensureIndexes(); // again: nothing to change
    assert.equal((await db.files.listIndexes().toArray()).length, indexes.length);
  });
});

describe('two different files with the same md5', () => {
  test('the pair really collides', () => {
    assert.equal(md5(COLLISION_A), md5(COLLISION_B));
    assert.notDeepEqual(COLLISION_A, COLLISION_B);
    assert.notEqual(sha256(COLLISION_A), sha256(COLLISION_B));
  });

  test('get different fileids, each URL serves its own bytes, stored under their sha256', async () => {
    const a = await upload(url, alice.token, COLLISION_A, { name: 'a.bin', msgtype: 4 });
    const b = await upload(url, carol.token, COLLISION_B, { name: 'b.bin', msgtype: 4 });
    assert.equal(a.status, 201, JSON.stringify(a.body));
    assert.equal(b.status, 201, JSON.stringify(b.body));
    assert.equal(a.body.file.filemd5, b.body.file.filemd5, 'md5 stays what the client checks');
    assert.notEqual(a.body.file.fileid, b.body.file.fileid);
    assert.deepEqual((await fetchBytes(url, a.body.file.url)).bytes, COLLISION_A);
    assert.deepEqual((await fetchBytes(url, b.body.file.url)).bytes, COLLISION_B);
    assert.deepEqual(readFileSync(contentPath(sha256(COLLISION_A))), COLLISION_A);
    assert.deepEqual(readFileSync(contentPath(sha256(COLLISION_B))), COLLISION_B);
    assert.equal(existsSync(contentPath(md5(COLLISION_A))), false, 'nothing is named after the md5');

    // Identical bytes are still stored once: the same fileid, one copy.
    const again = await upload(url, carol.token, COLLISION_A, { name: 'again.bin', msgtype: 4 });
    assert.equal(again.body.file.fileid, a.body.file.fileid);
    assert.equal(listFiles(filesDir()).filter((f) => path.basename(f) === sha256(COLLISION_A)).length, 1);
    assert.deepEqual((await fetchBytes(url, b.body.file.url)).bytes, COLLISION_B, 'the first file is untouched');

    // A lookup by md5 answers a record the caller may read: each user their own.
    const aliceView = await http(url, 'GET', `/api/files/by-md5/${md5(COLLISION_A)}`, { token: alice.token });
    assert.equal(aliceView.body.file.fileid, a.body.file.fileid);
    assert.deepEqual((await fetchBytes(url, aliceView.body.file.url)).bytes, COLLISION_A);
  });

  test('a file message naming the md5 carries the sender\u2019s own file', async () => {
    const user = await registerUser(url, 'Dora');
    const b = await upload(url, user.token, COLLISION_B, { name: 'mine.bin', msgtype: 4 });
    const group = (await createGroup(url, user, 'Collisions')).sessionid;
    const socket: TestSocket = await connectSocket(url, user.token);
    try {
      const ack = await emitAck(socket, 'message:send', {
        sessionToken: await sessionToken(url, user, group),
        msgtype: 4,
        msg: '',
        uuid: randomUUID(),
        filemd5: md5(COLLISION_B),
      } as never);
      assert.match(ack.msgid, /^[0-9a-f]{24}$/, JSON.stringify(ack));
      const [message] = (await http(url, 'GET', `/api/sessions/${group}/messages?limit=1`, { token: user.token })).body.messages;
      assert.equal(message.fileinfo.fileid, b.body.file.fileid);
      assert.deepEqual((await fetchBytes(url, message.fileinfo.url)).bytes, COLLISION_B);
    } finally {
      socket.close();
    }
  });
});

describe('records stored before contents were keyed by sha256', () => {
  /** Writes a record and its bytes the way earlier versions did: md5 only, md5-derived path. */
  async function legacyFile(owner: TestUser, bytes: Buffer): Promise<FileDoc> {
    const sum = md5(bytes);
    const filepath = path.posix.join('files', sum.slice(0, 2), sum.slice(2, 4), sum);
    mkdirSync(path.dirname(path.join(server.dataDir, filepath)), { recursive: true });
    writeFileSync(path.join(server.dataDir, filepath), bytes);
    const doc: FileDoc = {
      _id: new ObjectId(),
      md5: sum,
      size: bytes.length,
      filetype: 'application/octet-stream',
      kind: 'file',
      filename: 'old.bin',
      filepath,
      uploader: owner.uid,
      uploaders: [owner.uid],
      msgids: [],
      sessionids: [],
      dateline: Date.now() - 86_400_000,
    };
    await db.files.insertOne(doc);
    return doc;
  }

  test('keep being served from their stored path, and a re-upload joins them instead of storing a copy', async () => {
    const oldBytes = randomBytesOf(4000);
    const other = randomBytesOf(3000);
    // Two such records side by side: neither has a sha256, and the unique index does not mind.
    const legacy = await legacyFile(alice, oldBytes);
    await legacyFile(alice, other);
    const fileid = legacy._id.toHexString();
    assert.deepEqual((await fetchBytes(url, `/api/files/${fileid}`, { token: alice.token })).bytes, oldBytes);
    const found = await http(url, 'GET', `/api/files/by-md5/${md5(oldBytes)}`, { token: alice.token });
    assert.equal(found.body.file.fileid, fileid);

    const again = await upload(url, alice.token, oldBytes, { name: 'old.bin', msgtype: 4 });
    assert.equal(again.status, 201, JSON.stringify(again.body));
    assert.equal(again.body.file.fileid, fileid, 'the same content, the same fileid');
    const record = await db.files.findOne({ _id: legacy._id });
    assert.equal(record!.sha256, sha256(oldBytes), 'the record learnt its sha256');
    assert.equal(record!.filepath, legacy.filepath, 'and keeps its path');
    assert.equal(existsSync(contentPath(sha256(oldBytes))), false, 'no second copy');
    assert.deepEqual((await fetchBytes(url, again.body.file.url)).bytes, oldBytes);
  });

  test('a different file with the md5 of an old record gets its own record; the old one keeps its bytes', async () => {
    // An old record of one half of the pair (the records of the tests above are cleared first).
    await db.files.deleteMany({ md5: md5(COLLISION_A) });
    const oldA = await legacyFile(alice, COLLISION_A);
    const b = await upload(url, alice.token, COLLISION_B, { name: 'b.bin', msgtype: 4 });
    assert.equal(b.status, 201, JSON.stringify(b.body));
    assert.notEqual(b.body.file.fileid, oldA._id.toHexString());
    assert.deepEqual((await fetchBytes(url, b.body.file.url)).bytes, COLLISION_B);
    assert.deepEqual((await fetchBytes(url, `/api/files/${oldA._id.toHexString()}`, { token: alice.token })).bytes, COLLISION_A);
    assert.equal((await db.files.findOne({ _id: oldA._id }))!.sha256, sha256(COLLISION_A));
});
});
