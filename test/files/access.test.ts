import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { ObjectId } from 'mongodb';
import { UrlSigner } from '../../signaling/files/UrlSigner';
import type { Database } from '../../storage/Database';
import {
  collect,
  connectSocket,
  createGroup,
  emitAck,
  http,
  registerUser,
  sessionToken,
  type TestSocket,
  type TestUser,
} from '../support/client';
import { startServer, type RunningServer } from '../support/server';
import { fetchBytes, jpeg, md5, randomBytesOf, serverDatabase, upload } from '../support/files';

const SECRET = 'files-access-secret';
const DB_NAME = `cookim_files_${randomBytes(4).toString('hex')}`;
let server: RunningServer;
let url: string;
let db: Database;
let alice: TestUser;
let bob: TestUser;
let carol: TestUser;
let aliceSocket: TestSocket;
let bobSocket: TestSocket;
let sessionid: string;
let aliceToken: string;

before(async () => {
  server = await startServer({ env: { JWT_SECRET: SECRET, MONGO_DB: DB_NAME } });
  url = server.url;
  [alice, bob, carol] = await Promise.all([registerUser(url, 'Alice'), registerUser(url, 'Bob'), registerUser(url, 'Carol')]);
  sessionid = (await createGroup(url, alice, 'Files', { visabletype: 0, jointype: 1 })).sessionid;
  await http(url, 'POST', `/api/sessions/${sessionid}/members`, { token: alice.token, body: { uid: bob.uid } });
  aliceToken = await sessionToken(url, alice, sessionid);
  aliceSocket = await connectSocket(url, alice.token);
  bobSocket = await connectSocket(url, bob.token);
  db = await serverDatabase(server, DB_NAME);
});
after(async () => {
  aliceSocket?.close();
  bobSocket?.close();
  await db?.close();
  await server.stop();
});

const sendFile = (msgtype: number, filemd5: string, extra: Record<string, unknown> = {}) =>
  emitAck(aliceSocket, 'message:send', { sessionToken: aliceToken, msgtype, msg: '', uuid: randomUUID(), filemd5, ...extra } as never);

describe('file messages', () => {
  test('an image message carries fileinfo with signed URLs, and the file and message link both ways', async () => {
    const image = await jpeg(1200, 800);
    const up = await upload(url, alice.token, image, { name: 'holiday.jpg', type: 'image/jpeg' });
    assert.equal(up.status, 201);
    const pushed = collect(bobSocket, 'message', 1, (m) => m.fileinfo?.filemd5 === md5(image));
    const ack = await sendFile(1, md5(image), { msg: 'look :smile:' });
    assert.match(ack.msgid, /^[0-9a-f]{24}$/, JSON.stringify(ack));
    const [message] = await pushed;
    assert.equal(message.msgid, ack.msgid);
    assert.equal(message.msgtype, 1);
    assert.equal(message.msg, 'look 😄');
    assert.equal(message.size, image.length, 'the size of a file message is the file size');
    const info = message.fileinfo!;
    assert.equal(info.fileid, up.body.file.fileid);
    assert.equal(info.filename, 'holiday.jpg');
    assert.equal(info.filetype, 'image/jpeg');
    assert.equal(info.size, image.length);
    assert.deepEqual([info.width, info.height], [1200, 800]);
    assert.match(info.url, /^\/api\/files\/[0-9a-f]{24}\?exp=\d+&sig=/);
    assert.match(info.thumbUrl!, /^\/api\/files\/[0-9a-f]{24}\/thumb\?exp=\d+&sig=/);
    // Bob (a member, who never uploaded it) loads it the way an <img> tag does: no Authorization header.
    const got = await fetchBytes(url, info.url);
    assert.equal(got.status, 200);
    assert.deepEqual(got.bytes, image);
    assert.equal((await fetchBytes(url, info.thumbUrl!)).status, 200);

    // Both ways: the file record lists the message, the stored message's fileinfo names the file.
    const record = await db.files.findOne({ md5: md5(image) });
    assert.deepEqual(record!.msgids, [ack.msgid]);
    assert.deepEqual(record!.sessionids, [sessionid]);
    const stored = await db.messages.findOne({ _id: new ObjectId(ack.msgid) });
    assert.equal(stored!.fileinfo!.fileid, record!._id.toHexString());
    assert.equal(stored!.fileinfo!.filemd5, md5(image));

    // History and sync hand out signed URLs too.
    const history = await http(url, 'GET', `/api/sessions/${sessionid}/messages`, { token: bob.token });
    const fromHistory = history.body.messages.find((m: { msgid: string }) => m.msgid === ack.msgid);
    assert.equal((await fetchBytes(url, fromHistory.fileinfo.url)).status, 200);
    const sync = await emitAck(bobSocket, 'sync', { cursors: { [sessionid]: message.seq - 1 } });
    assert.equal(sync.messages[0].fileinfo.fileid, info.fileid);
  });

  test('an unknown md5 is file_not_found; a kind that does not fit the msgtype is refused', async () => {
    const unknown = await sendFile(1, md5(randomUUID()));
    assert.equal(unknown.error.code, 'file_not_found');
    const missing = await emitAck(aliceSocket, 'message:send', { sessionToken: aliceToken, msgtype: 1, msg: 'x', uuid: randomUUID() });
    assert.equal(missing.error.code, 'invalid_input');
    const image = await jpeg(64, 64);
    await upload(url, alice.token, image, { name: 'tiny.jpg', type: 'image/jpeg' });
    assert.equal((await sendFile(2, md5(image))).error.code, 'invalid_file', 'an image is not a voice clip');
    assert.equal((await sendFile(3, md5(image))).error.code, 'invalid_file', 'an image is not a video');
    // A text file stored as a plain file: refused as an image, fine as a file.
    const text = Buffer.from(`not an image ${randomUUID()}`);
    assert.equal((await upload(url, alice.token, text, { name: 'x.png', type: 'image/png', msgtype: 4 })).status, 201);
    assert.equal((await sendFile(1, md5(text))).error.code, 'invalid_file');
    const asFile = await sendFile(4, md5(text), { filename: '../x.png' });
    assert.match(asFile.msgid, /^[0-9a-f]{24}$/, JSON.stringify(asFile));
    const stored = await db.messages.findOne({ _id: new ObjectId(asFile.msgid) });
    assert.equal(stored!.fileinfo!.filename, 'x.png');
    assert.equal(stored!.msgtype, 4);
    // Calls are not file messages.
    assert.equal((await sendFile(5, md5(text))).error.code, 'invalid_input');
  });

  test('a voice message takes audio (a WAV clip), and the clip is served inline as audio', async () => {
    const samples = 8000;
    const wav = Buffer.alloc(44 + samples * 2);
    wav.write('RIFF', 0);
    wav.writeUInt32LE(36 + samples * 2, 4);
    wav.write('WAVEfmt ', 8);
    wav.writeUInt32LE(16, 16);
    wav.writeUInt16LE(1, 20); // PCM
    wav.writeUInt16LE(1, 22); // mono
    wav.writeUInt32LE(8000, 24);
    wav.writeUInt32LE(16000, 28);
    wav.writeUInt16LE(2, 32);
    wav.writeUInt16LE(16, 34);
    wav.write('data', 36);
    wav.writeUInt32LE(samples * 2, 40);
    for (let i = 0; i < samples; i++) wav.writeInt16LE(Math.round(Math.sin(i / 3) * 8000 + Math.random() * 100), 44 + i * 2);
    const up = await upload(url, alice.token, wav, { name: 'voice.wav', type: 'audio/wav', msgtype: 2 });
    assert.equal(up.status, 201, JSON.stringify(up.body));
    assert.equal(up.body.file.kind, 'audio');
    assert.equal((await sendFile(1, md5(wav))).error.code, 'invalid_file');
    const ack = await sendFile(2, md5(wav));
    assert.match(ack.msgid, /^[0-9a-f]{24}$/);
    const message = (await http(url, 'GET', `/api/sessions/${sessionid}/messages?limit=1`, { token: bob.token })).body.messages[0];
    assert.equal(message.msgtype, 2);
    const served = await fetchBytes(url, message.fileinfo.url);
    assert.match(served.headers.get('content-type') ?? '', /^audio\//);
    assert.match(served.headers.get('content-disposition') ?? '', /^inline; filename="voice.wav"/);
  });

  test('a re-sent file message (same uuid) is stored once and linked once', async () => {
    const bytes = randomBytesOf(5000);
    await upload(url, alice.token, bytes, { name: 'twice.bin' });
    const uuid = randomUUID();
    const first = await sendFile(4, md5(bytes), { uuid });
    const second = await sendFile(4, md5(bytes), { uuid });
    assert.equal(second.msgid, first.msgid);
    assert.equal(second.duplicate, true);
    assert.deepEqual((await db.files.findOne({ md5: md5(bytes) }))!.msgids, [first.msgid]);
  });
});

describe('fetching files', () => {
  let file: { fileid: string; url: string; filemd5: string; size: number };
  let bytes: Buffer;
  before(async () => {
    bytes = randomBytesOf(300_000);
    file = (await upload(url, alice.token, bytes, { name: 'data.bin' })).body.file;
  });

  test('before it is posted only the uploader may fetch it; after, members too, never others', async () => {
    const plain = `/api/files/${file.fileid}`;
    assert.equal((await fetchBytes(url, plain, { token: alice.token })).status, 200);
    const early = await fetchBytes(url, plain, { token: bob.token });
    assert.equal(early.status, 403);
    assert.equal(early.json.error.code, 'not_member');
    await sendFile(4, file.filemd5);
    assert.equal((await fetchBytes(url, plain, { token: bob.token })).status, 200);
    const outsider = await fetchBytes(url, plain, { token: carol.token });
    assert.equal(outsider.status, 403);
    assert.equal(outsider.json.error.code, 'not_member');
    const anonymous = await fetchBytes(url, plain);
    assert.equal(anonymous.status, 401);
    assert.equal((await fetchBytes(url, `/api/files/${'e'.repeat(24)}`, { token: alice.token })).status, 404);
  });

  test('headers: type, long cache, disposition; range requests answer 206 with the right bytes', async () => {
    const whole = await fetchBytes(url, file.url);
    assert.equal(whole.status, 200);
    assert.equal(whole.headers.get('cache-control'), 'private, max-age=31536000, immutable');
    assert.equal(whole.headers.get('accept-ranges'), 'bytes');
    assert.match(whole.headers.get('content-disposition') ?? '', /^attachment; filename="data.bin"/);
    const part = await fetchBytes(url, file.url, { headers: { range: 'bytes=1000-1999' } });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get('content-range'), `bytes 1000-1999/${bytes.length}`);
    assert.equal(part.headers.get('content-length'), '1000');
    assert.deepEqual(part.bytes, bytes.subarray(1000, 2000));
    const tail = await fetchBytes(url, file.url, { headers: { range: 'bytes=-500' } });
    assert.equal(tail.status, 206);
    assert.deepEqual(tail.bytes, bytes.subarray(bytes.length - 500));
    const outside = await fetchBytes(url, file.url, { headers: { range: `bytes=${bytes.length + 10}-` } });
    assert.equal(outside.status, 416);
    assert.equal(outside.headers.get('content-range'), `bytes */${bytes.length}`);
  });

  test('an expired or tampered signature is refused; a member with a Bearer token still gets in', async () => {
    const signer = new UrlSigner(SECRET, 3600);
    const past = Math.floor(Date.now() / 1000) - 10;
    const expired = `/api/files/${file.fileid}?exp=${past}&sig=${signer.sign(file.fileid, 'file', past)}`;
    const res = await fetchBytes(url, expired);
    assert.equal(res.status, 401);
    assert.equal(res.json.error.code, 'url_expired');
    // A valid-looking URL with a later expiry but the old signature, a signature of another file or variant, a wrong key.
    const [, exp] = /exp=(\d+)/.exec(file.url)!;
    const later = Number(exp) + 3600;
    for (const forged of [
      `/api/files/${file.fileid}?exp=${later}&sig=${new URL(file.url, url).searchParams.get('sig')}`,
      `/api/files/${file.fileid}?exp=${exp}&sig=${signer.sign('a'.repeat(24), 'file', Number(exp))}`,
      `/api/files/${file.fileid}?exp=${exp}&sig=${signer.sign(file.fileid, 'thumb', Number(exp))}`,
      `/api/files/${file.fileid}?exp=${exp}&sig=${new UrlSigner('another secret', 3600).sign(file.fileid, 'file', Number(exp))}`,
      `/api/files/${file.fileid}?exp=${exp}&sig=`,
    ]) {
      const refused = await fetchBytes(url, forged);
      assert.equal(refused.status, 403, forged);
      assert.equal(refused.json.error.code, 'invalid_signature');
      assert.equal((await fetchBytes(url, forged, { token: carol.token })).status, 403, 'an outsider with a token');
    }
    assert.equal((await fetchBytes(url, expired, { token: bob.token })).status, 200, 'a member with a token');
    // A correctly signed URL with a future expiry works for anyone holding it (it was issued to an allowed user).
    const fresh = `/api/files/${file.fileid}?exp=${later}&sig=${signer.sign(file.fileid, 'file', later)}`;
    assert.equal((await fetchBytes(url, fresh)).status, 200);
  });
});
