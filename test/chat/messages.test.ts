import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import jwt from 'jsonwebtoken';
import {
  collect,
  connectSocket,
  createGroup,
  emitAck,
  http,
  registerUser,
  sendText,
  sessionToken,
  type TestSocket,
  type TestUser,
} from '../support/client';
import { startServer, type RunningServer } from '../support/server';

const SECRET = 'messages-test-secret';
let server: RunningServer;
let url: string;
let alice: TestUser;
let bob: TestUser;
let aliceSocket: TestSocket;
let bobSocket: TestSocket;
let sessionid: string;
let aliceToken: string;

before(async () => {
  server = await startServer({ env: { JWT_SECRET: SECRET, MESSAGE_RATE: '50' } });
  url = server.url;
  alice = await registerUser(url, 'Alice');
  bob = await registerUser(url, 'Bob');
  sessionid = (await createGroup(url, alice, 'Chat')).sessionid;
  await http(url, 'POST', `/api/sessions/${sessionid}/join`, { token: bob.token });
  aliceToken = await sessionToken(url, alice, sessionid);
  aliceSocket = await connectSocket(url, alice.token);
  bobSocket = await connectSocket(url, bob.token);
});
after(async () => {
  aliceSocket?.close();
  bobSocket?.close();
  await server.stop();
});

const history = async (user: TestUser, query = '') => http(url, 'GET', `/api/sessions/${sessionid}/messages${query}`, { token: user.token });

describe('message:send', () => {
  test('acks after storing and delivers to every member with the S3 fields', async () => {
    const received = collect(bobSocket, 'message', 1, (m) => m.msg === 'hello bob');
    const echo = collect(aliceSocket, 'message', 1, (m) => m.msg === 'hello bob');
    const uuid = randomUUID();
    const ack = await sendText(aliceSocket, aliceToken, 'hello bob', uuid);
    assert.match(ack.msgid, /^[0-9a-f]{24}$/);
    assert.equal(typeof ack.seq, 'number');
    const [message] = await received;
    await echo;
    assert.equal(message.msgid, ack.msgid);
    assert.equal(message.seq, ack.seq);
    assert.equal(message.sessionid, sessionid);
    assert.equal(message.senduid, alice.uid);
    assert.equal(message.nickname, 'Alice');
    assert.equal(message.msgtype, 0);
    assert.equal(message.size, Buffer.byteLength('hello bob'));
    assert.equal(message.uuid, uuid);
    assert.ok(Math.abs(message.time - Date.now()) < 10_000);
    const stored = (await history(bob)).body.messages;
    assert.equal(stored[0].msgid, ack.msgid);
  });

  test('seqs count up by one with no gaps, also for concurrent sends from two users', async () => {
    const bobToken = await sessionToken(url, bob, sessionid);
    const acks = await Promise.all(
      Array.from({ length: 40 }, (_, i) => (i % 2 ? sendText(aliceSocket, aliceToken, `a${i}`) : sendText(bobSocket, bobToken, `b${i}`))),
    );
    const seqs = acks.map((a) => a.seq).sort((x, y) => x - y);
    for (let i = 1; i < seqs.length; i++) assert.equal(seqs[i], seqs[i - 1] + 1);
    const page = (await history(alice, '?limit=100')).body.messages.map((m: { seq: number }) => m.seq);
    for (let i = 1; i < page.length; i++) assert.equal(page[i], page[i - 1] - 1, 'history is newest first and gapless');
  });

  test('the same uuid twice is stored once and acked with the same msgid', async () => {
    const uuid: string = randomUUID();
    const first = await sendText(aliceSocket, aliceToken, 'only once', uuid);
    const second = await sendText(aliceSocket, aliceToken, 'only once', uuid);
    assert.equal(second.msgid, first.msgid);
    assert.equal(second.seq, first.seq);
    assert.equal(second.duplicate, true);
    const [c, d] = await Promise.all([sendText(aliceSocket, aliceToken, 'racing', uuid + 'x'), sendText(aliceSocket, aliceToken, 'racing', uuid + 'x')]);
    assert.equal(c.msgid, d.msgid);
    const stored = (await history(alice, '?limit=100')).body.messages.filter((m: { uuid: string }) => m.uuid === uuid || m.uuid === uuid + 'x');
    assert.equal(stored.length, 2);
  });

  test('emoji shortcodes become emoji', async () => {
    const ack = await sendText(aliceSocket, aliceToken, 'good :smile: :not_a_real_code:');
    const [stored] = (await history(alice, '?limit=1')).body.messages;
    assert.equal(stored.msgid, ack.msgid);
    assert.equal(stored.msg, 'good 😄 :not_a_real_code:');
  });

  test('an oversized message is refused with too_large and stores nothing', async () => {
    const before = (await history(alice, '?limit=1')).body.messages[0].seq;
    const res = await sendText(aliceSocket, aliceToken, 'x'.repeat(16 * 1024 + 1));
    assert.equal(res.error.code, 'too_large');
    const multibyte = await sendText(aliceSocket, aliceToken, '€'.repeat(6000));
    assert.equal(multibyte.error.code, 'too_large', 'the limit is in bytes');
    assert.equal((await history(alice, '?limit=1')).body.messages[0].seq, before);
  });

  test('bad payloads are answered with invalid_input and never crash the node', async () => {
    for (const payload of [
      null,
      42,
      'text',
      {},
      { sessionToken: aliceToken, msgtype: 0, msg: 5, uuid: 'x' },
      { sessionToken: aliceToken, msgtype: 'text', msg: 'hi', uuid: 'x' },
      { sessionToken: aliceToken, msgtype: 0, msg: 'hi' },
      { sessionToken: aliceToken, msgtype: 0, msg: '   ', uuid: randomUUID() },
      { sessionToken: aliceToken, msgtype: 9, msg: 'hi', uuid: 'x' },
    ]) {
      const res = await emitAck(aliceSocket, 'message:send', payload as never);
      assert.equal(res.error.code, 'invalid_input', JSON.stringify(payload));
    }
    aliceSocket.emit('message:send', { sessionToken: aliceToken, msgtype: 0, msg: 'no ack', uuid: randomUUID() } as never, undefined as never);
    const ok = await sendText(aliceSocket, aliceToken, 'still alive');
    assert.ok(ok.msgid);
  });

  test('forged, expired, foreign and non-member session tokens are refused', async () => {
    const before = (await history(alice, '?limit=1')).body.messages[0].seq;
    const forged = jwt.sign({ typ: 'session', uid: alice.uid, tv: 0, sessionid }, 'wrong-secret', { expiresIn: 60 });
    assert.equal((await sendText(aliceSocket, forged, 'x')).error.code, 'token_invalid');
    const expired = jwt.sign({ typ: 'session', uid: alice.uid, tv: 0, sessionid, exp: Math.floor(Date.now() / 1000) - 5 }, SECRET);
    assert.equal((await sendText(aliceSocket, expired, 'x')).error.code, 'token_expired');
    // Bob presenting Alice's session token.
    assert.equal((await sendText(bobSocket, aliceToken, 'x')).error.code, 'forbidden');
    // A user token is not a session token.
    assert.equal((await sendText(aliceSocket, alice.token, 'x')).error.code, 'token_invalid');
    // A validly signed token for a session the sender is not in (e.g. issued before leaving).
    const other = await createGroup(url, bob, 'Bob only');
    const notMine = jwt.sign({ typ: 'session', uid: alice.uid, tv: 0, sessionid: other.sessionid }, SECRET, { expiresIn: 60 });
    assert.equal((await sendText(aliceSocket, notMine, 'x')).error.code, 'not_member');
    assert.equal((await history(alice, '?limit=1')).body.messages[0].seq, before);
    assert.equal((await http(url, 'GET', `/api/sessions/${other.sessionid}/messages`, { token: alice.token })).body.error.code, 'not_member');
  });

  test('a user sending too fast is rate limited', async () => {
    const eve = await registerUser(url, 'Eve');
    const group = await createGroup(url, eve, 'Flood');
    const token = await sessionToken(url, eve, group.sessionid);
    const socket = await connectSocket(url, eve.token);
    const results = await Promise.all(Array.from({ length: 150 }, (_, i) => sendText(socket, token, `flood ${i}`)));
    const limited = results.filter((r) => r.error?.code === 'rate_limited');
    const stored = results.filter((r) => r.msgid);
    assert.ok(limited.length > 0, 'some sends are limited');
    assert.ok(stored.length >= 50, 'a burst within the limit passes');
    const page = (await http(url, 'GET', `/api/sessions/${group.sessionid}/messages?limit=100`, { token: eve.token })).body.messages;
    assert.equal(Math.max(...page.map((m: { seq: number }) => m.seq)), stored.length, 'only acked messages are stored');
    socket.close();
  });
});

describe('listHistoryMessages', () => {
  test('pages newest first, further back with before, limit bounded', async () => {
    const group = await createGroup(url, alice, 'Paging');
    const token = await sessionToken(url, alice, group.sessionid);
    for (let i = 1; i <= 25; i++) await sendText(aliceSocket, token, `m${i}`);
    const path = `/api/sessions/${group.sessionid}/messages`;
    const first = (await http(url, 'GET', path, { token: alice.token })).body.messages;
    assert.equal(first.length, 20);
    assert.equal(first[0].msg, 'm25');
    assert.equal(first[19].msg, 'm6');
    const second = (await http(url, 'GET', `${path}?before=${first[19].seq}&limit=20`, { token: alice.token })).body.messages;
    assert.deepEqual(second.map((m: { msg: string }) => m.msg), ['m5', 'm4', 'm3', 'm2', 'm1']);
    assert.equal((await http(url, 'GET', `${path}?limit=101`, { token: alice.token })).status, 400);
    assert.equal((await http(url, 'GET', `${path}?before=abc`, { token: alice.token })).status, 400);
    assert.equal((await http(url, 'GET', path)).status, 401);
  });
});

describe('session token (S15 step 3)', () => {
  test('carries uid, sessionid and an expiry', async () => {
    const res = await http(url, 'POST', `/api/sessions/${sessionid}/token`, { token: bob.token });
    assert.equal(res.status, 200);
    assert.equal(res.body.session.sessionid, sessionid);
    const claims = jwt.verify(res.body.sessionToken, SECRET) as { uid: string; sessionid: string; exp: number };
    assert.equal(claims.uid, bob.uid);
    assert.equal(claims.sessionid, sessionid);
    assert.ok(claims.exp * 1000 > Date.now());
  });
});
