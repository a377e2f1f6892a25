/**
 * No cross-user file oracle (issue 10, finding 2): an md5 is never a key to someone else's file.
 * By-md5 lookups and file messages naming an md5 work only for bytes the caller may already read;
 * otherwise they answer exactly as for bytes the server does not have.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Database } from '../../storage/Database';
import { connectSocket, createGroup, emitAck, http, registerUser, sessionToken, type TestSocket, type TestUser } from '../support/client';
import { startServer, type RunningServer } from '../support/server';
import { fetchBytes, md5, randomBytesOf, serverDatabase, upload } from '../support/files';

const DB_NAME = `cookim_files_privacy_${randomBytes(4).toString('hex')}`;
let server: RunningServer;
let url: string;
let db: Database;
let bob: TestUser;
let carol: TestUser;
let mallory: TestUser;
let dave: TestUser;
let privateChat: string;
let malloryGroup: string;
let bobDaveGroup: string;
let daveGroup: string;
const sockets: TestSocket[] = [];

before(async () => {
  server = await startServer({ env: { MONGO_DB: DB_NAME } });
  url = server.url;
  [bob, carol, mallory, dave] = await Promise.all(['Bob', 'Carol', 'Mallory', 'Dave'].map((name) => registerUser(url, name)));
  privateChat = (await http(url, 'POST', '/api/sessions/private', { token: bob.token, body: { uid: carol.uid } })).body.session.sessionid;
  malloryGroup = (await createGroup(url, mallory, 'Mallory only')).sessionid;
  daveGroup = (await createGroup(url, dave, 'Dave only')).sessionid;
  bobDaveGroup = (await createGroup(url, bob, 'Bob and Dave', { visabletype: 0, jointype: 1 })).sessionid;
  assert.equal((await http(url, 'POST', `/api/sessions/${bobDaveGroup}/members`, { token: bob.token, body: { uid: dave.uid } })).status < 300, true);
  db = await serverDatabase(server, DB_NAME);
});
after(async () => {
  for (const socket of sockets) socket.close();
  await db?.close();
  await server.stop();
});

async function socketOf(user: TestUser): Promise<TestSocket> {
  const socket = await connectSocket(url, user.token);
  sockets.push(socket);
  return socket;
}

async function sendFile(user: TestUser, socket: TestSocket, sessionid: string, filemd5: string, msgtype = 4) {
  const token = await sessionToken(url, user, sessionid);
  return emitAck(socket, 'message:send', { sessionToken: token, msgtype, msg: '', uuid: randomUUID(), filemd5 } as never);
}

const byMd5 = (user: TestUser, sum: string, method: 'GET' | 'HEAD') =>
  fetch(`${url}/api/files/by-md5/${sum}`, { method, headers: { authorization: `Bearer ${user.token}` } });

/** Status, body and headers (all but Date, which is the clock) of a response. */
async function shape(res: Response) {
  const headers = [...res.headers.entries()].filter(([name]) => name !== 'date');
  return { status: res.status, body: await res.text(), headers };
}

/** Asserts the by-md5 answers for `sum` are exactly those for bytes nobody stored. */
async function assertLooksUnknown(user: TestUser, sum: string) {
  const unknown = md5(randomUUID());
  for (const method of ['HEAD', 'GET'] as const) {
    const got = await shape(await byMd5(user, sum, method));
    const none = await shape(await byMd5(user, unknown, method));
    assert.equal(got.status, 404, `${method} by-md5`);
    assert.deepEqual(got, none, `${method} by-md5 answers as for an unknown md5`);
  }
}

describe('a stranger who knows the md5 of a private file', () => {
  let secret: Buffer;
  let fileid: string;
  let bobSocket: TestSocket;
  let mallorySocket: TestSocket;

  before(async () => {
    [bobSocket, mallorySocket] = await Promise.all([socketOf(bob), socketOf(mallory)]);
    secret = randomBytesOf(20_000);
    const up = await upload(url, bob.token, secret, { name: 'private.pdf', msgtype: 4 });
    assert.equal(up.status, 201, JSON.stringify(up.body));
    fileid = up.body.file.fileid;
    const sent = await sendFile(bob, bobSocket, privateChat, md5(secret));
    assert.match(sent.msgid, /^[0-9a-f]{24}$/, JSON.stringify(sent));
  });

  test('cannot send it into her own group: refused as an unknown md5, nothing stored, no URL', async () => {
    const attempt = await sendFile(mallory, mallorySocket, malloryGroup, md5(secret));
    const unknown = await sendFile(mallory, mallorySocket, malloryGroup, md5(randomUUID()));
    assert.equal(attempt.error?.code, 'file_not_found', JSON.stringify(attempt));
    assert.deepEqual(attempt, unknown, 'the same refusal as for bytes nobody stored');
    assert.equal(JSON.stringify(attempt).includes(fileid), false, 'no fileid, no URL');
    const history = await http(url, 'GET', `/api/sessions/${malloryGroup}/messages`, { token: mallory.token });
    assert.equal(history.status, 200);
    assert.deepEqual(history.body.messages, [], 'nothing stored in her group');
    const record = await db.files.findOne({ md5: md5(secret) });
    assert.deepEqual(record!.sessionids, [privateChat], 'her group was not linked to the file');
    assert.equal(record!.msgids.length, 1);
  });

  test('HEAD/GET by md5: the 404 of an unknown md5, the same status, code, message and headers', async () => {
    await assertLooksUnknown(mallory, md5(secret));
  });

  test('a Bearer fetch by fileid is refused', async () => {
    const res = await fetchBytes(url, `/api/files/${fileid}`, { token: mallory.token });
    assert.equal(res.status, 403);
    assert.equal(res.json.error.code, 'not_member');
    assert.notDeepEqual(res.bytes, secret);
  });

  test('the uploader and the other member of the chat may use the md5', async () => {
    assert.equal((await byMd5(bob, md5(secret), 'HEAD')).status, 200);
    const carols = await byMd5(carol, md5(secret), 'GET');
    assert.equal(carols.status, 200);
    const { file } = (await carols.json()) as { file: { fileid: string; url: string } };
    assert.equal(file.fileid, fileid);
    assert.match(file.url, /sig=/);
    assert.deepEqual((await fetchBytes(url, file.url)).bytes, secret);
  });
});

describe('a member who left the conversation', () => {
  test('can no longer look the file up, name it by md5, or fetch it with a Bearer token', async () => {
    const [bobSocket, daveSocket] = await Promise.all([socketOf(bob), socketOf(dave)]);
    const bytes = randomBytesOf(8_000);
    const up = await upload(url, bob.token, bytes, { name: 'shared.bin', msgtype: 4 });
    assert.equal(up.status, 201);
    assert.match((await sendFile(bob, bobSocket, bobDaveGroup, md5(bytes))).msgid, /^[0-9a-f]{24}$/);
    // While a member, Dave may use the md5 (forward it into his own group) and fetch the file.
    assert.equal((await byMd5(dave, md5(bytes), 'HEAD')).status, 200);
    assert.equal((await fetchBytes(url, `/api/files/${up.body.file.fileid}`, { token: dave.token })).status, 200);

    assert.ok((await http(url, 'POST', `/api/sessions/${bobDaveGroup}/leave`, { token: dave.token })).status < 300);
    await assertLooksUnknown(dave, md5(bytes));
    const attempt = await sendFile(dave, daveSocket, daveGroup, md5(bytes));
    assert.equal(attempt.error?.code, 'file_not_found', JSON.stringify(attempt));
    assert.deepEqual((await http(url, 'GET', `/api/sessions/${daveGroup}/messages`, { token: dave.token })).body.messages, []);
    assert.equal((await fetchBytes(url, `/api/files/${up.body.file.fileid}`, { token: dave.token })).status, 403);
  });
});
