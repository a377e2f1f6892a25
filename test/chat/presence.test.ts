import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { collect, connectSocket, createGroup, emitAck, http, registerUser, type TestSocket, type TestUser } from '../support/client';
import { startServer, type RunningServer } from '../support/server';

let server: RunningServer;
let url: string;
let alice: TestUser;
let bob: TestUser;
let sessionid: string;
let otherSession: string;
let aliceSocket: TestSocket;
let bobSocket: TestSocket;

before(async () => {
  server = await startServer();
  url = server.url;
  alice = await registerUser(url, 'Alice');
  bob = await registerUser(url, 'Bob');
  sessionid = (await createGroup(url, alice, 'Presence')).sessionid;
  otherSession = (await createGroup(url, alice, 'Other')).sessionid;
  for (const id of [sessionid, otherSession]) await http(url, 'POST', `/api/sessions/${id}/join`, { token: bob.token });
  aliceSocket = await connectSocket(url, alice.token);
  bobSocket = await connectSocket(url, bob.token);
});
after(async () => {
  aliceSocket.close();
  bobSocket.close();
  await server.stop();
});

const membersSeenBy = async (user: TestUser, id = sessionid) =>
  new Map<string, string>((await http(url, 'GET', `/api/sessions/${id}`, { token: user.token })).body.members.map((m: { uid: string; presence: string }) => [m.uid, m.presence]));

test('connecting announces online; disconnecting announces offline', async () => {
  const online = collect(aliceSocket, 'presence', 1, (p) => p.uid === bob.uid && p.status === 'online' && p.sessionid === sessionid);
  const second = await connectSocket(url, bob.token);
  await online;
  const offline = collect(aliceSocket, 'presence', 1, (p) => p.uid === bob.uid && p.status === 'offline', 1500);
  second.close();
  // Bob is still connected on his first socket: no offline event may come.
  await assert.rejects(offline);
  assert.equal((await membersSeenBy(alice)).get(bob.uid), 'online');
});

test('busy shows on the other side, in the event and in the member list', async () => {
  const seen = collect(aliceSocket, 'presence', 1, (p) => p.uid === bob.uid && p.status === 'busy');
  assert.deepEqual(await emitAck(bobSocket, 'presence:set', { status: 'busy' }), { ok: true });
  await seen;
  assert.equal((await membersSeenBy(alice)).get(bob.uid), 'busy');
});

test('a status for one conversation applies there only', async () => {
  await emitAck(bobSocket, 'presence:set', { status: 'online' });
  const seen = collect(aliceSocket, 'presence', 1, (p) => p.uid === bob.uid && p.status === 'away' && p.sessionid === otherSession);
  await emitAck(bobSocket, 'presence:set', { status: 'away', sessionid: otherSession });
  await seen;
  assert.equal((await membersSeenBy(alice, otherSession)).get(bob.uid), 'away');
  assert.equal((await membersSeenBy(alice, sessionid)).get(bob.uid), 'online');
});

test('an invisible user is reported offline and listed as offline', async () => {
  const seen = collect(aliceSocket, 'presence', 1, (p) => p.uid === bob.uid && p.status === 'offline' && p.sessionid === sessionid);
  await emitAck(bobSocket, 'presence:set', { status: 'invisible' });
  await seen;
  assert.equal((await membersSeenBy(alice)).get(bob.uid), 'offline');
  await emitAck(bobSocket, 'presence:set', { status: 'online' });
  assert.equal((await membersSeenBy(alice)).get(bob.uid), 'online');
});

test('bad presence requests are refused', async () => {
  assert.equal((await emitAck(bobSocket, 'presence:set', { status: 'sleeping' } as never)).error.code, 'invalid_input');
  const foreign = (await createGroup(url, alice, 'Private to Alice')).sessionid;
  assert.equal((await emitAck(bobSocket, 'presence:set', { status: 'busy', sessionid: foreign })).error.code, 'not_member');
});

test('typing reaches the other members, not the typist, and only from members', async () => {
  const seen = collect(aliceSocket, 'typing', 1, (t) => t.uid === bob.uid);
  const selfSeen = collect(bobSocket, 'typing', 1, () => true, 1500);
  await emitAck(bobSocket, 'typing', { sessionid });
  assert.deepEqual((await seen)[0], { sessionid, uid: bob.uid });
  await assert.rejects(selfSeen);
  const foreign = (await createGroup(url, alice, 'No typing')).sessionid;
  assert.equal((await emitAck(bobSocket, 'typing', { sessionid: foreign })).error.code, 'not_member');
});
