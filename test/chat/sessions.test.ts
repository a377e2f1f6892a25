import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { collect, connectSocket, createGroup, http, registerUser, type TestUser } from '../support/client';
import { startServer, type RunningServer } from '../support/server';

let server: RunningServer;
let url: string;
let alice: TestUser;
let bob: TestUser;

before(async () => {
  server = await startServer();
  url = server.url;
  alice = await registerUser(url, 'Alice');
  bob = await registerUser(url, 'Bob');
});
after(() => server.stop());

const call = (user: TestUser, method: string, path: string, body?: unknown) => http(url, method, path, { token: user.token, body });

describe('createGroupSession', () => {
  test('creates a group with the creator as its one member', async () => {
    const res = await call(alice, 'POST', '/api/sessions', { name: 'Climbing', visabletype: 1, jointype: 0 });
    assert.equal(res.status, 201);
    const s = res.body.session;
    assert.match(s.sessionid, /^[0-9a-f]{24}$/);
    assert.equal(s.sessiontype, 1);
    assert.equal(s.senduid, alice.uid);
    assert.deepEqual(s.uids, [alice.uid]);
    assert.equal(s.lastSeq, 0);
  });

  test('bad input is refused and creates nothing', async () => {
    const before = (await call(alice, 'GET', '/api/sessions')).body.sessions.length;
    for (const body of [{}, { name: '' }, { name: 'x'.repeat(65) }, { name: 'ok', visabletype: 2 }, { name: 'ok', jointype: 'yes' }]) {
      const res = await call(alice, 'POST', '/api/sessions', body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(res.body.error.code, 'invalid_input');
    }
    assert.equal((await call(alice, 'GET', '/api/sessions')).body.sessions.length, before);
    assert.equal((await http(url, 'POST', '/api/sessions', { body: { name: 'anon' } })).status, 401);
  });
});

describe('listPublicSessions, joinSession, leaveSession', () => {
  test('public groups are listed; hidden ones are not', async () => {
    const open = await createGroup(url, alice, 'Open group', { visabletype: 1 });
    const hidden = await createGroup(url, alice, 'Hidden group', { visabletype: 0 });
    const list = (await call(bob, 'GET', '/api/sessions/public?limit=100')).body.sessions.map((s: { sessionid: string }) => s.sessionid);
    assert.ok(list.includes(open.sessionid));
    assert.ok(!list.includes(hidden.sessionid));
    assert.equal((await call(bob, 'GET', '/api/sessions/public?limit=1000')).status, 400);
  });

  test('joining an open group adds the member and pushes session:update to members', async () => {
    const group = await createGroup(url, alice, 'Joinable');
    const aliceSocket = await connectSocket(url, alice.token);
    const update = collect(aliceSocket, 'session:update', 1, (e) => e.session.sessionid === group.sessionid);
    const res = await call(bob, 'POST', `/api/sessions/${group.sessionid}/join`);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.session.uids.sort(), [alice.uid, bob.uid].sort());
    const [event] = await update;
    assert.ok(event.session.uids.includes(bob.uid));
    aliceSocket.close();
    const joined = (await call(bob, 'GET', '/api/sessions?type=group')).body.sessions.map((s: { sessionid: string }) => s.sessionid);
    assert.ok(joined.includes(group.sessionid));
    const again = await call(bob, 'POST', `/api/sessions/${group.sessionid}/join`);
    assert.equal(again.body.session.uids.length, 2, 'joining twice adds nothing');
  });

  test('an invitation-only group refuses joins but takes invitations from its creator', async () => {
    const group = await createGroup(url, alice, 'Invite only', { jointype: 1 });
    const refused = await call(bob, 'POST', `/api/sessions/${group.sessionid}/join`);
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error.code, 'invitation_only');
    const carol = await registerUser(url, 'Carol');
    const notMember = await call(carol, 'POST', `/api/sessions/${group.sessionid}/members`, { uid: bob.uid });
    assert.equal(notMember.status, 403);
    assert.equal(notMember.body.error.code, 'not_member');
    const invited = await call(alice, 'POST', `/api/sessions/${group.sessionid}/members`, { uid: bob.uid });
    assert.equal(invited.status, 200);
    assert.ok(invited.body.session.uids.includes(bob.uid));
    assert.equal((await call(alice, 'POST', `/api/sessions/${group.sessionid}/members`, { uid: '0'.repeat(24) })).status, 404);
  });

  test('leaving removes the member, who can then no longer read it', async () => {
    const group = await createGroup(url, alice, 'Leaving');
    await call(bob, 'POST', `/api/sessions/${group.sessionid}/join`);
    const bobSocket = await connectSocket(url, bob.token);
    const removed = collect(bobSocket, 'session:removed', 1);
    assert.equal((await call(bob, 'POST', `/api/sessions/${group.sessionid}/leave`)).status, 204);
    assert.equal((await removed)[0].sessionid, group.sessionid);
    bobSocket.close();
    const history = await call(bob, 'GET', `/api/sessions/${group.sessionid}/messages`);
    assert.equal(history.status, 403);
    assert.equal(history.body.error.code, 'not_member');
    const leaveAgain = await call(bob, 'POST', `/api/sessions/${group.sessionid}/leave`);
    assert.equal(leaveAgain.body.error.code, 'not_member');
  });

  test('unknown and malformed session ids', async () => {
    assert.equal((await call(bob, 'POST', `/api/sessions/${'a'.repeat(24)}/join`)).body.error.code, 'session_not_found');
    assert.equal((await call(bob, 'POST', '/api/sessions/xyz/join')).status, 400);
  });
});

describe('createPrivateSession', () => {
  test('the same pair gets the same conversation, whoever starts it', async () => {
    const first = await call(alice, 'POST', '/api/sessions/private', { uid: bob.uid });
    assert.equal(first.status, 200);
    assert.equal(first.body.session.sessiontype, 0);
    assert.equal(first.body.session.recvuid, bob.uid);
    const second = await call(bob, 'POST', '/api/sessions/private', { uid: alice.uid });
    assert.equal(second.body.session.sessionid, first.body.session.sessionid);
    const privates = (await call(bob, 'GET', '/api/sessions?type=private')).body.sessions;
    assert.equal(privates.filter((s: { sessionid: string }) => s.sessionid === first.body.session.sessionid).length, 1);
    assert.ok(privates.every((s: { sessiontype: number }) => s.sessiontype === 0));
  });

  test('with yourself, an unknown user, or a bad id it fails', async () => {
    assert.equal((await call(alice, 'POST', '/api/sessions/private', { uid: alice.uid })).status, 400);
    assert.equal((await call(alice, 'POST', '/api/sessions/private', { uid: 'f'.repeat(24) })).body.error.code, 'user_not_found');
    assert.equal((await call(alice, 'POST', '/api/sessions/private', { uid: 12 })).status, 400);
  });

  test('a third user can neither join nor read it', async () => {
    const { session } = (await call(alice, 'POST', '/api/sessions/private', { uid: bob.uid })).body;
    const eve = await registerUser(url, 'Eve');
    assert.equal((await call(eve, 'POST', `/api/sessions/${session.sessionid}/join`)).status, 403);
    assert.equal((await call(eve, 'GET', `/api/sessions/${session.sessionid}`)).body.error.code, 'not_member');
    assert.equal((await call(eve, 'POST', `/api/sessions/${session.sessionid}/token`)).body.error.code, 'not_member');
  });
});

describe('getSessionInfo and updateSessionInfo', () => {
  test('members are listed with presence', async () => {
    const group = await createGroup(url, alice, 'Info');
    await call(bob, 'POST', `/api/sessions/${group.sessionid}/join`);
    const bobSocket = await connectSocket(url, bob.token);
    const res = await call(alice, 'GET', `/api/sessions/${group.sessionid}`);
    assert.equal(res.status, 200);
    assert.equal(res.body.session.name, 'Info');
    const byUid = new Map(res.body.members.map((m: { uid: string; presence: string }) => [m.uid, m.presence]));
    assert.equal(byUid.get(bob.uid), 'online');
    assert.equal(byUid.get(alice.uid), 'offline');
    bobSocket.close();
  });

  test('only the creator may change a group; changes reach members', async () => {
    const group = await createGroup(url, alice, 'Old name');
    await call(bob, 'POST', `/api/sessions/${group.sessionid}/join`);
    const denied = await call(bob, 'PATCH', `/api/sessions/${group.sessionid}`, { name: 'Hijacked' });
    assert.equal(denied.status, 403);
    const bobSocket = await connectSocket(url, bob.token);
    const update = collect(bobSocket, 'session:update', 1, (e) => e.session.name === 'New name');
    const ok = await call(alice, 'PATCH', `/api/sessions/${group.sessionid}`, { name: 'New name', jointype: 1 });
    assert.equal(ok.status, 200);
    assert.equal(ok.body.session.jointype, 1);
    await update;
    bobSocket.close();
    assert.equal((await call(alice, 'PATCH', `/api/sessions/${group.sessionid}`, { name: '' })).status, 400);
    assert.equal((await call(alice, 'PATCH', `/api/sessions/${group.sessionid}`, { owner: 'x' })).status, 400);
    assert.equal((await call(alice, 'GET', `/api/sessions/${group.sessionid}`)).body.session.name, 'New name');
  });
});
