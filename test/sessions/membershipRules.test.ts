import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { collect, connectSocket, createGroup, emitAck, http, registerUser, sendText, sessionToken, type TestSocket, type TestUser } from '../support/client';
import { startServer, type RunningServer } from '../support/server';

/**
 * The SessionService's membership rules (signaling/sessions/membershipRules.ts) as clients see them,
 * over HTTP and over the socket, and the one error shape both carry (PROTOCOL.md "Errors").
 */

let server: RunningServer;
let url: string;
const sockets: TestSocket[] = [];

before(async () => {
  server = await startServer();
  url = server.url;
});
after(async () => {
  for (const socket of sockets) socket.close();
  await server.stop();
});

const call = (user: TestUser, method: string, path: string, body?: unknown) => http(url, method, path, { token: user.token, body });
const connect = async (user: TestUser) => {
  const socket = await connectSocket(url, user.token);
  sockets.push(socket);
  return socket;
};
const notMember = { error: { code: 'not_member', message: 'you are not a member of this session' } };

describe('who may look at a conversation', () => {
  test('a public group before joining; a hidden group and a private chat only as a member', async () => {
    const [owner, stranger, friend] = await Promise.all(['Owner', 'Stranger', 'Friend'].map((n) => registerUser(url, n)));
    const open = await createGroup(url, owner, 'Town square', { visabletype: 1 });
    const hidden = await createGroup(url, owner, 'Back room', { visabletype: 0 });
    const pair = (await call(owner, 'POST', '/api/sessions/private', { uid: friend.uid })).body.session;

    const seen = await call(stranger, 'GET', `/api/sessions/${open.sessionid}`);
    assert.equal(seen.status, 200);
    assert.deepEqual(seen.body.members.map((m: { uid: string }) => m.uid), [owner.uid]);

    for (const sessionid of [hidden.sessionid, pair.sessionid]) {
      const refused = await call(stranger, 'GET', `/api/sessions/${sessionid}`);
      assert.equal(refused.status, 403);
      assert.deepEqual(refused.body, notMember);
    }
    // Looking is not reading: the public group's messages are for members.
    assert.deepEqual((await call(stranger, 'GET', `/api/sessions/${open.sessionid}/messages`)).body, notMember);
  });
});

describe('what only groups have', () => {
  test('a private chat cannot be joined, takes no invitations and has no settings', async () => {
    const [ann, ben, cid] = await Promise.all(['Ann', 'Ben', 'Cid'].map((n) => registerUser(url, n)));
    const pair = (await call(ann, 'POST', '/api/sessions/private', { uid: ben.uid })).body.session;

    const joined = await call(cid, 'POST', `/api/sessions/${pair.sessionid}/join`);
    assert.equal(joined.status, 403);
    assert.deepEqual(joined.body, { error: { code: 'forbidden', message: 'private conversations cannot be joined' } });

    const invited = await call(ann, 'POST', `/api/sessions/${pair.sessionid}/members`, { uid: cid.uid });
    assert.equal(invited.status, 403);
    assert.deepEqual(invited.body, { error: { code: 'forbidden', message: 'only groups take invitations' } });

    const renamed = await call(ann, 'PATCH', `/api/sessions/${pair.sessionid}`, { name: 'Ours' });
    assert.equal(renamed.status, 403);
    assert.deepEqual(renamed.body, { error: { code: 'forbidden', message: 'only groups have settings' } });

    const self = await call(ann, 'POST', '/api/sessions/private', { uid: ann.uid });
    assert.equal(self.status, 400);
    assert.deepEqual(self.body, { error: { code: 'invalid_input', message: 'a private conversation needs another user' } });
  });

  test('a stranger may not add people, even to an open group', async () => {
    const [owner, stranger, other] = await Promise.all(['Owner', 'Stranger', 'Other'].map((n) => registerUser(url, n)));
    const group = await createGroup(url, owner, 'Open', { jointype: 0 });
    const refused = await call(stranger, 'POST', `/api/sessions/${group.sessionid}/members`, { uid: other.uid });
    assert.equal(refused.status, 403);
    assert.deepEqual(refused.body, notMember);
  });
});

describe('writing over the socket follows membership', () => {
  test('joining lets a socket write at once; leaving stops typing, presence and messages there', async () => {
    const [owner, bob] = await Promise.all(['Owner', 'Bob'].map((n) => registerUser(url, n)));
    const group = await createGroup(url, owner, 'Club', { jointype: 0 });
    const [ownerSocket, bobSocket] = await Promise.all([connect(owner), connect(bob)]);

    // Not yet a member: refused before any relay.
    assert.deepEqual(await emitAck(bobSocket, 'typing', { sessionid: group.sessionid }), notMember);

    const added = collect(bobSocket, 'session:update', 1, (u) => u.session.sessionid === group.sessionid);
    assert.equal((await call(bob, 'POST', `/api/sessions/${group.sessionid}/join`)).status, 200);
    await added;
    const token = await sessionToken(url, bob, group.sessionid);
    const typing = collect(ownerSocket, 'typing', 1, (t) => t.uid === bob.uid);
    assert.deepEqual(await emitAck(bobSocket, 'typing', { sessionid: group.sessionid }), { ok: true });
    await typing;
    const sent = await sendText(bobSocket, token, 'hello club');
    assert.equal(typeof sent.msgid, 'string');

    const removed = collect(bobSocket, 'session:removed', 1, (r) => r.sessionid === group.sessionid);
    assert.equal((await call(bob, 'POST', `/api/sessions/${group.sessionid}/leave`)).status, 204);
    await removed;
    assert.deepEqual(await emitAck(bobSocket, 'typing', { sessionid: group.sessionid }), notMember);
    assert.deepEqual(await emitAck(bobSocket, 'presence:set', { status: 'busy', sessionid: group.sessionid }), notMember);
    // The session token is still unexpired, but the socket left the conversation with its member.
    assert.deepEqual(await sendText(bobSocket, token, 'still here?'), notMember);
  });
});

describe('one error shape over HTTP and socket acks', () => {
  test('the same domain error answers the same body over both; retryable ones say so', async () => {
    const [owner, stranger] = await Promise.all(['Owner', 'Stranger'].map((n) => registerUser(url, n)));
    const group = await createGroup(url, owner, 'Private club', { visabletype: 0, jointype: 1 });
    const socket = await connect(stranger);

    const overHttp = await call(stranger, 'GET', `/api/sessions/${group.sessionid}/messages`);
    assert.equal(overHttp.status, 403);
    const overAck = await emitAck(socket, 'typing', { sessionid: group.sessionid });
    assert.deepEqual(overHttp.body, notMember);
    assert.deepEqual(overAck, overHttp.body);

    const joinHttp = await call(stranger, 'POST', `/api/sessions/${group.sessionid}/join`);
    assert.equal(joinHttp.status, 403);
    assert.deepEqual(joinHttp.body, { error: { code: 'invitation_only', message: 'this group can only be joined by invitation' } });

    // A limit is retryable, and the ack says so (TYPING_RATE 2 a second, bursts of 4).
    const ownerSocket = await connect(owner);
    const answers = [];
    for (let i = 0; i < 8; i++) answers.push(await emitAck(ownerSocket, 'typing', { sessionid: group.sessionid }));
    const limited = answers.find((a) => a.error);
    assert.deepEqual(limited, { error: { code: 'rate_limited', message: 'too many typing events; slow down', retryable: true } });
  });
});
