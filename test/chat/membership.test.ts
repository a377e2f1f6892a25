import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createGroup, http, registerUser, type TestUser } from '../support/client';
import { startServer, type RunningServer } from '../support/server';

let server: RunningServer;
let url: string;

before(async () => {
  server = await startServer();
  url = server.url;
});
after(() => server.stop());

const call = (user: TestUser, method: string, path: string, body?: unknown) => http(url, method, path, { token: user.token, body });
const uidsOf = async (user: TestUser, sessionid: string) => (await call(user, 'GET', `/api/sessions/${sessionid}`)).body.session.uids as string[];

describe('adding members (POST /api/sessions/:id/members)', () => {
  test('into an invitation-only group only its creator may add people; a member is refused and nothing changes', async () => {
    const [owner, member, stranger, friend] = await Promise.all(['Owner', 'Member', 'Stranger', 'Friend'].map((n) => registerUser(url, n)));
    const group = await createGroup(url, owner, 'Closed', { jointype: 1, visabletype: 0 });
    assert.equal((await call(owner, 'POST', `/api/sessions/${group.sessionid}/members`, { uid: member.uid })).status, 200);

    const refused = await call(member, 'POST', `/api/sessions/${group.sessionid}/members`, { uid: stranger.uid });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error.code, 'forbidden');
    assert.deepEqual((await uidsOf(owner, group.sessionid)).sort(), [owner.uid, member.uid].sort());
    assert.equal((await call(stranger, 'GET', `/api/sessions/${group.sessionid}/messages`)).body.error.code, 'not_member');

    const added = await call(owner, 'POST', `/api/sessions/${group.sessionid}/members`, { uid: friend.uid });
    assert.equal(added.status, 200);
    assert.ok(added.body.session.uids.includes(friend.uid));
  });

  test('into an open group any member may still add people', async () => {
    const [owner, member, newcomer] = await Promise.all(['Owner', 'Member', 'Newcomer'].map((n) => registerUser(url, n)));
    const group = await createGroup(url, owner, 'Open', { jointype: 0 });
    await call(member, 'POST', `/api/sessions/${group.sessionid}/join`);
    const added = await call(member, 'POST', `/api/sessions/${group.sessionid}/members`, { uid: newcomer.uid });
    assert.equal(added.status, 200);
    assert.ok(added.body.session.uids.includes(newcomer.uid));
  });
});

describe('private chats someone left', () => {
  test('the other person opening it again reopens it for themselves only', async () => {
    const [ann, ben] = await Promise.all(['Ann', 'Ben'].map((n) => registerUser(url, n)));
    const opened = (await call(ann, 'POST', '/api/sessions/private', { uid: ben.uid })).body.session;
    assert.deepEqual([...opened.uids].sort(), [ann.uid, ben.uid].sort(), 'a new private chat has both');

    assert.equal((await call(ben, 'POST', `/api/sessions/${opened.sessionid}/leave`)).status, 204);
    const again = await call(ann, 'POST', '/api/sessions/private', { uid: ben.uid });
    assert.equal(again.status, 200);
    assert.equal(again.body.session.sessionid, opened.sessionid);
    assert.deepEqual(again.body.session.uids, [ann.uid], 'Ben is not forced back in');
    const bens = (await call(ben, 'GET', '/api/sessions?type=private')).body.sessions as { sessionid: string }[];
    assert.ok(!bens.some((s) => s.sessionid === opened.sessionid), 'the chat stays closed for Ben');

    // Ben gets it back by opening it himself, with its history.
    const back = await call(ben, 'POST', '/api/sessions/private', { uid: ann.uid });
    assert.equal(back.body.session.sessionid, opened.sessionid);
    assert.deepEqual([...back.body.session.uids].sort(), [ann.uid, ben.uid].sort());
  });

  test('the one who left reopening it does not need the other', async () => {
    const [cat, dov] = await Promise.all(['Cat', 'Dov'].map((n) => registerUser(url, n)));
    const opened = (await call(cat, 'POST', '/api/sessions/private', { uid: dov.uid })).body.session;
    await call(cat, 'POST', `/api/sessions/${opened.sessionid}/leave`);
    await call(dov, 'POST', `/api/sessions/${opened.sessionid}/leave`);
    const back = await call(cat, 'POST', '/api/sessions/private', { uid: dov.uid });
    assert.deepEqual(back.body.session.uids, [cat.uid]);
  });
});
