import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { collect, connectSocket, emitAck, type TestSocket } from '../support/client';
import { startServer, type RunningServer } from '../support/server';
import { caller, refused, users, type Call } from './peopleSteps';

let server: RunningServer;
let url: string;
let call: Call;
const sockets: TestSocket[] = [];

before(async () => {
  // A small hourly allowance, so the rate limit is reachable in a test.
  server = await startServer({ env: { FRIEND_REQUESTS_PER_HOUR: '5', AUTH_RATE_PER_MINUTE: '1000' } });
  url = server.url;
  call = caller(url);
});
after(async () => {
  for (const s of sockets) s.close();
  await server.stop();
});

describe('friends (S26)', () => {
  test('request, accept: friends:update reaches both sides, the lists follow, with presence', async () => {
    const [ann, ben] = await users(url, 'Ann', 'Ben');
    const [annSocket, benSocket] = await Promise.all([connectSocket(url, ann.token), connectSocket(url, ben.token)]);
    sockets.push(annSocket, benSocket);

    const annSees = collect(annSocket, 'friends:update', 1);
    const benSees = collect(benSocket, 'friends:update', 1);
    const sent = await call(ann, 'POST', '/api/friends/requests', { uid: ben.uid });
    assert.equal(sent.status, 200);
    assert.deepEqual(sent.body, { uid: ben.uid, state: 'outgoing' });
    assert.deepEqual((await annSees)[0], { uid: ben.uid, state: 'outgoing' });
    assert.deepEqual((await benSees)[0], { uid: ann.uid, state: 'incoming' });

    const annList = (await call(ann, 'GET', '/api/friends')).body;
    assert.deepEqual(annList.outgoing.map((u: { uid: string }) => u.uid), [ben.uid]);
    assert.deepEqual(annList.friends, []);
    const benList = (await call(ben, 'GET', '/api/friends')).body;
    assert.deepEqual(benList.incoming.map((u: { uid: string }) => u.uid), [ann.uid]);
    assert.equal(benList.incoming[0].presence, 'online', 'people carry presence');
    assert.equal(benList.incoming[0].login, undefined, "another user's email is never listed");

    const bothFriends = [collect(annSocket, 'friends:update', 1), collect(benSocket, 'friends:update', 1)];
    const accepted = await call(ben, 'POST', `/api/friends/requests/${ann.uid}/accept`);
    assert.deepEqual(accepted.body, { uid: ann.uid, state: 'friends' });
    assert.deepEqual((await bothFriends[0]!)[0], { uid: ben.uid, state: 'friends' });
    assert.deepEqual((await bothFriends[1]!)[0], { uid: ann.uid, state: 'friends' });
    const after = (await call(ann, 'GET', '/api/friends')).body;
    assert.deepEqual(after.friends.map((u: { uid: string }) => u.uid), [ben.uid]);
    assert.deepEqual([after.incoming, after.outgoing], [[], []]);

    // Removing: both see `none`, both lists empty.
    const bothNone = [collect(annSocket, 'friends:update', 1), collect(benSocket, 'friends:update', 1)];
    assert.deepEqual((await call(ben, 'DELETE', `/api/friends/${ann.uid}`)).body, { uid: ann.uid, state: 'none' });
    assert.deepEqual((await bothNone[0]!)[0], { uid: ben.uid, state: 'none' });
    assert.deepEqual((await bothNone[1]!)[0], { uid: ann.uid, state: 'none' });
    assert.deepEqual((await call(ann, 'GET', '/api/friends')).body.friends, []);
  });

  test('a request to someone who already asked you makes you friends at once', async () => {
    const [cat, dov] = await users(url, 'Cat', 'Dov');
    await call(cat, 'POST', '/api/friends/requests', { uid: dov.uid });
    const back = await call(dov, 'POST', '/api/friends/requests', { uid: cat.uid });
    assert.deepEqual(back.body, { uid: cat.uid, state: 'friends' });
    assert.deepEqual((await call(cat, 'GET', '/api/friends')).body.friends.map((u: { uid: string }) => u.uid), [dov.uid]);
  });

  test('declining and cancelling: the request goes, both told none', async () => {
    const [eve, fay, gus] = await users(url, 'Eve', 'Fay', 'Gus');
    const eveSocket = await connectSocket(url, eve.token);
    sockets.push(eveSocket);
    await call(eve, 'POST', '/api/friends/requests', { uid: fay.uid });
    const told = collect(eveSocket, 'friends:update', 1, (e) => e.state === 'none');
    assert.deepEqual((await call(fay, 'POST', `/api/friends/requests/${eve.uid}/decline`)).body, { uid: eve.uid, state: 'none' });
    assert.deepEqual((await told)[0], { uid: fay.uid, state: 'none' });
    assert.deepEqual((await call(fay, 'GET', '/api/friends')).body.incoming, []);
    // Accepting a request that is gone.
    refused(await call(fay, 'POST', `/api/friends/requests/${eve.uid}/accept`), 404, 'friend_request_not_found');

    // DELETE /api/friends/:uid withdraws an outgoing request.
    await call(eve, 'POST', '/api/friends/requests', { uid: gus.uid });
    assert.equal((await call(eve, 'DELETE', `/api/friends/${gus.uid}`)).status, 200);
    assert.deepEqual((await call(gus, 'GET', '/api/friends')).body.incoming, []);
    assert.deepEqual((await call(eve, 'GET', '/api/friends')).body.outgoing, []);
  });

  test('refusals: yourself, an unknown user, already friends, a block, too many requests', async () => {
    const [hal, ida, jon] = await users(url, 'Hal', 'Ida', 'Jon');
    refused(await call(hal, 'POST', '/api/friends/requests', { uid: hal.uid }), 400, 'invalid_input', 'yourself');
    refused(await call(hal, 'POST', '/api/friends/requests', { uid: 'a'.repeat(24) }), 404, 'user_not_found', 'unknown');
    refused(await call(hal, 'POST', '/api/friends/requests', { uid: 'nope' }), 400, 'invalid_input', 'malformed');

    await call(hal, 'POST', '/api/friends/requests', { uid: ida.uid });
    await call(ida, 'POST', `/api/friends/requests/${hal.uid}/accept`);
    refused(await call(hal, 'POST', '/api/friends/requests', { uid: ida.uid }), 409, 'already_friends');

    // A block either way refuses requests, in both directions.
    await call(jon, 'POST', '/api/blocks', { uid: hal.uid });
    refused(await call(hal, 'POST', '/api/friends/requests', { uid: jon.uid }), 403, 'blocked', 'blocked user asks the blocker');
    refused(await call(jon, 'POST', '/api/friends/requests', { uid: hal.uid }), 403, 'blocked', 'the blocker asks');

    // FRIEND_REQUESTS_PER_HOUR=5: the sixth new request within the hour is refused, retryable.
    const [asker, ...targets] = await users(url, 'Asker', 'T1', 'T2', 'T3', 'T4', 'T5', 'T6');
    for (const target of targets.slice(0, 5)) assert.equal((await call(asker, 'POST', '/api/friends/requests', { uid: target.uid })).status, 200);
    // Asking again while a request waits costs nothing.
    assert.equal((await call(asker, 'POST', '/api/friends/requests', { uid: targets[0]!.uid })).body.state, 'outgoing');
    const limited = await call(asker, 'POST', '/api/friends/requests', { uid: targets[5]!.uid });
    refused(limited, 429, 'rate_limited');
    assert.equal(limited.body.error.retryable, true);
  });

  test('finding people: nickname prefix and exact email, email never shown', async () => {
    const [kim] = await users(url, 'Kimberly Findme');
    const [searcher] = await users(url, 'Searcher');
    const byName = await call(searcher, 'GET', `/api/users?q=${encodeURIComponent('Kimberly Find')}`);
    assert.ok(byName.body.users.some((u: { uid: string }) => u.uid === kim.uid));
    const byEmail = await call(searcher, 'GET', `/api/users?q=${encodeURIComponent(kim.login.toUpperCase())}`);
    assert.deepEqual(byEmail.body.users.map((u: { uid: string }) => u.uid), [kim.uid]);
    assert.equal(byEmail.body.users[0].login, undefined);
    assert.ok(!JSON.stringify(byEmail.body).includes(kim.login), 'the email is not echoed anywhere');
    assert.deepEqual((await call(searcher, 'GET', `/api/users?q=${encodeURIComponent('nobody.' + kim.login)}`)).body.users, []);
  });

  test('friends endpoints need a signed-in user', async () => {
    const res = await fetch(`${url}/api/friends`);
    assert.equal(res.status, 401);
  });
});

describe('friends’ presence (S26)', () => {
  test('friends with no conversation in common hear each other come online and go offline; going invisible looks like going offline', async () => {
    const [ann, ben] = await users(url, 'Ann', 'Ben');
    await call(ann, 'POST', '/api/friends/requests', { uid: ben.uid });
    await call(ben, 'POST', `/api/friends/requests/${ann.uid}/accept`);
    const annSocket = await connectSocket(url, ann.token);
    sockets.push(annSocket);

    const online = collect(annSocket, 'presence', 1, (e) => e.uid === ben.uid && e.sessionid === undefined);
    const benSocket = await connectSocket(url, ben.token);
    assert.equal((await online)[0]!.status, 'online');
    assert.equal((await call(ann, 'GET', '/api/friends')).body.friends[0].presence, 'online');

    const invisible = collect(annSocket, 'presence', 1, (e) => e.uid === ben.uid && e.sessionid === undefined && e.status === 'offline');
    await emitAck(benSocket, 'presence:set', { status: 'invisible' });
    await invisible;
    await emitAck(benSocket, 'presence:set', { status: 'online' });

    const offline = collect(annSocket, 'presence', 1, (e) => e.uid === ben.uid && e.status === 'offline');
    benSocket.close();
    await offline;
  });
});
