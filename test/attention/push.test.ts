import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { connectSocket, createGroup, emitAck, http, joinGroup, registerUser, request, sendText, sessionToken, type TestSocket, type TestUser } from '../support/client';
import { startServer, type RunningServer } from '../support/server';
import { sleep, waitFor } from '../support/wait';
import { attentionOf, sendMentioning } from './attentionSteps';
import { TestPushService, type ReceivedPush, type TestSubscription } from './pushEndpoint';

let server: RunningServer;
let url: string;
let push: TestPushService;
let alice: TestUser;
let bob: TestUser;
let group: string;
let aliceSocket: TestSocket;
let aliceToken: string;
let bobDevice: TestSubscription;

/** How long a push that should not come is waited for. */
const QUIET_MS = 1200;

const subscribe = (user: TestUser, sub: TestSubscription) => http(url, 'POST', '/api/push/subscriptions', { token: user.token, body: sub.toJSON() });

async function nextPush(path: string, already: number): Promise<ReceivedPush> {
  return waitFor(`a push to ${path}`, () => push.to(path)[already], 10_000, 50);
}

/** Bob is offline once no online record of his is left (his presence reads offline to Alice). */
async function waitOffline(uid: string): Promise<void> {
  await waitFor(`${uid} offline`, async () => {
    const res = await http(url, 'GET', `/api/sessions/${group}`, { token: alice.token });
    return res.body.members.find((m: any) => m.uid === uid)?.presence === 'offline';
  });
}

before(async () => {
  push = await TestPushService.start();
  server = await startServer({ env: { MESSAGE_RATE: '100', PUSH_ALLOW_HTTP: '1' } });
  url = server.url;
  alice = await registerUser(url, 'Alice');
  bob = await registerUser(url, 'Bob');
  group = (await createGroup(url, alice, 'Pushy')).sessionid;
  await joinGroup(url, bob, group);
  aliceSocket = await connectSocket(url, alice.token);
  aliceToken = await sessionToken(url, alice, group);
  bobDevice = push.subscription('/bob-laptop');
  const res = await subscribe(bob, bobDevice);
  assert.equal(res.status, 201, JSON.stringify(res.body));
});
after(async () => {
  aliceSocket?.close();
  await server?.stop();
  await push?.close();
});

describe('Web Push (issue 13)', () => {
  test('a user with no socket gets an aes128gcm push that decrypts to the message', async () => {
    const sent = await sendText(aliceSocket, aliceToken, 'Are you there? 你好');
    const got = await nextPush('/bob-laptop', 0);
    assert.equal(got.headers['content-encoding'], 'aes128gcm');
    assert.ok(Number(got.headers.ttl) > 0, 'a TTL is set');
    assert.match(String(got.headers.authorization), /^vapid t=.+, k=.+/, 'signed with VAPID');
    const { publicKey } = (await http(url, 'GET', '/api/push/key')).body;
    assert.ok(String(got.headers.authorization).endsWith(`k=${publicKey}`), 'with the key GET /api/push/key gives');
    const payload = JSON.parse(bobDevice.decrypt(got.body));
    assert.deepEqual(payload, {
      type: 'message',
      sessionid: group,
      msgid: sent.msgid,
      title: 'Pushy',
      body: 'Alice: Are you there? 你好',
      url: `/c/${group}`,
    });
    // The sender is never pushed their own message.
    const aliceDevice = push.subscription('/alice-phone');
    assert.equal((await subscribe(alice, aliceDevice)).status, 201);
    await sendText(aliceSocket, aliceToken, 'second');
    await nextPush('/bob-laptop', 1);
    await sleep(300);
    assert.equal(push.to('/alice-phone').length, 0);
  });

  test('no push while the user has a connected socket', async () => {
    const before = push.to('/bob-laptop').length;
    const bobSocket = await connectSocket(url, bob.token);
    try {
      await sendText(aliceSocket, aliceToken, 'you are online');
      await sleep(QUIET_MS);
      assert.equal(push.to('/bob-laptop').length, before);
    } finally {
      bobSocket.close();
    }
    await waitOffline(bob.uid);
    await sendText(aliceSocket, aliceToken, 'and now you are not');
    const got = await nextPush('/bob-laptop', before);
    assert.equal(JSON.parse(bobDevice.decrypt(got.body)).body, 'Alice: and now you are not');
  });

  test('a muted conversation pushes nothing but mentions; an expired mute no longer counts', async () => {
    const muted = await http(url, 'PATCH', `/api/sessions/${group}/settings`, { token: bob.token, body: { muted: true } });
    assert.equal(muted.status, 200, JSON.stringify(muted.body));
    assert.deepEqual(muted.body, { sessionid: group, muted: true });
    assert.equal((await attentionOf(url, bob.token, group)).muted, true);
    const before = push.to('/bob-laptop').length;
    await sendText(aliceSocket, aliceToken, 'muted chatter');
    await sleep(QUIET_MS);
    assert.equal(push.to('/bob-laptop').length, before, 'nothing while muted');
    await sendMentioning(aliceSocket, aliceToken, '@Bob urgent', [bob.uid]);
    const got = await nextPush('/bob-laptop', before);
    assert.equal(JSON.parse(bobDevice.decrypt(got.body)).body, 'Alice: @Bob urgent', 'a mention comes through a mute');

    // A mute for a short while: listed with its end, then reads as not muted.
    const until = Date.now() + 1500;
    const timed = await http(url, 'PATCH', `/api/sessions/${group}/settings`, { token: bob.token, body: { muted: true, mutedUntil: until } });
    assert.deepEqual(timed.body, { sessionid: group, muted: true, mutedUntil: until });
    assert.deepEqual(
      { muted: (await attentionOf(url, bob.token, group)).muted, mutedUntil: (await attentionOf(url, bob.token, group)).mutedUntil },
      { muted: true, mutedUntil: until },
    );
    await sleep(until - Date.now() + 100);
    const expired = await attentionOf(url, bob.token, group);
    assert.equal(expired.muted, false);
    assert.equal(expired.mutedUntil, undefined);
    await sendText(aliceSocket, aliceToken, 'mute is over');
    await nextPush('/bob-laptop', before + 1);

    // muted: false clears; bad settings are refused.
    await http(url, 'PATCH', `/api/sessions/${group}/settings`, { token: bob.token, body: { muted: true } });
    assert.equal((await http(url, 'PATCH', `/api/sessions/${group}/settings`, { token: bob.token, body: { muted: false } })).status, 200);
    assert.equal((await attentionOf(url, bob.token, group)).muted, false);
    const past = await http(url, 'PATCH', `/api/sessions/${group}/settings`, { token: bob.token, body: { muted: true, mutedUntil: Date.now() - 1000 } });
    assert.equal(past.status, 400);
    assert.equal(past.body.error.code, 'invalid_input');
    assert.equal((await http(url, 'PATCH', `/api/sessions/${group}/settings`, { token: bob.token, body: {} })).status, 400);
    const outsider = await registerUser(url, 'Outsider');
    const refused = await http(url, 'PATCH', `/api/sessions/${group}/settings`, { token: outsider.token, body: { muted: true } });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error.code, 'not_member');
  });

  test('a busy user gets mentions only', async () => {
    const bobSocket = await connectSocket(url, bob.token);
    const set = await emitAck(bobSocket, 'presence:set', { status: 'busy' });
    assert.deepEqual(set, { ok: true });
    bobSocket.close();
    await waitOffline(bob.uid);
    const before = push.to('/bob-laptop').length;
    await sendText(aliceSocket, aliceToken, 'busy? nothing');
    await sleep(QUIET_MS);
    assert.equal(push.to('/bob-laptop').length, before);
    await sendMentioning(aliceSocket, aliceToken, '@Bob still', [bob.uid]);
    await nextPush('/bob-laptop', before);
    const back = await connectSocket(url, bob.token);
    await emitAck(back, 'presence:set', { status: 'online' });
    back.close();
    await waitOffline(bob.uid);
  });

  test('a 410 answer removes the subscription', async () => {
    const gone = push.subscription('/bob-old-phone', 410);
    assert.equal((await subscribe(bob, gone)).status, 201);
    await sendText(aliceSocket, aliceToken, 'anyone?');
    await nextPush('/bob-old-phone', 0);
    await nextPush('/bob-laptop', push.to('/bob-laptop').length - 1);
    await sleep(300);
    const laptop = push.to('/bob-laptop').length;
    await sendText(aliceSocket, aliceToken, 'again');
    await nextPush('/bob-laptop', laptop);
    await sleep(300);
    assert.equal(push.to('/bob-old-phone').length, 1, 'the expired subscription is not used again');
  });

  test('DELETE /api/push/subscriptions stops pushes to that device', async () => {
    const res = await http(url, 'DELETE', '/api/push/subscriptions', { token: bob.token, body: { endpoint: bobDevice.endpoint } });
    assert.equal(res.status, 204);
    const before = push.to('/bob-laptop').length;
    await sendText(aliceSocket, aliceToken, 'unsubscribed');
    await sleep(QUIET_MS);
    assert.equal(push.to('/bob-laptop').length, before);
  });

  test('an incoming call is pushed even when the conversation is muted and the user busy', async () => {
    const tablet = push.subscription('/bob-tablet');
    assert.equal((await subscribe(bob, tablet)).status, 201);
    await http(url, 'PATCH', `/api/sessions/${group}/settings`, { token: bob.token, body: { muted: true } });
    const bobSocket = await connectSocket(url, bob.token);
    await emitAck(bobSocket, 'presence:set', { status: 'busy' });
    bobSocket.close();
    await waitOffline(bob.uid);
    const { call } = await request(aliceSocket, 'call:start', { sessionid: group, kind: 'video' });
    const got = await nextPush('/bob-tablet', 0);
    assert.equal(got.headers['content-encoding'], 'aes128gcm');
    assert.equal(got.headers.urgency, 'high');
    const payload = JSON.parse(tablet.decrypt(got.body));
    assert.equal(payload.type, 'call');
    assert.equal(payload.sessionid, group);
    assert.equal(payload.title, 'Pushy');
    assert.equal(payload.body, 'Alice: Incoming video call');
    assert.equal(payload.url, `/c/${group}`);
    assert.ok(call.callid);
  });
});
