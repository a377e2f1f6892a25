import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { collect, connectSocket, createGroup, http, joinGroup, registerUser, sendText, sessionToken, type TestSocket, type TestUser } from '../support/client';
import { sleep } from '../support/wait';
import { attentionOf, readSet, signInAgain, useAttentionServer } from './attentionSteps';

let url: string;
let alice: TestUser;
let bob: TestUser;
let carol: TestUser;
let group: string;
let aliceSocket: TestSocket;
let bobSocket: TestSocket;
let carolSocket: TestSocket;
let aliceToken: string;
let bobToken: string;

useAttentionServer(async (u) => {
  url = u;
  alice = await registerUser(url, 'Alice');
  bob = await registerUser(url, 'Bob');
  carol = await registerUser(url, 'Carol');
  group = (await createGroup(url, alice, 'Reading')).sessionid;
  await joinGroup(url, bob, group);
  await joinGroup(url, carol, group);
  aliceSocket = await connectSocket(url, alice.token);
  bobSocket = await connectSocket(url, bob.token);
  carolSocket = await connectSocket(url, carol.token);
  aliceToken = await sessionToken(url, alice, group);
  bobToken = await sessionToken(url, bob, group);
}, () => [aliceSocket, bobSocket, carolSocket]);

describe('read state on the server (issue 13)', () => {
  test('own messages are never unread, and sending moves the sender\'s read position', async () => {
    const sent = [];
    for (const text of ['one', 'two', 'three']) sent.push(await sendText(aliceSocket, aliceToken, text));
    const mine = await attentionOf(url, alice.token, group);
    assert.equal(mine.unread, 0);
    assert.equal(mine.readSeq, sent[2].seq);
    const bobs = await attentionOf(url, bob.token, group);
    assert.equal(bobs.unread, 3);
    assert.equal(bobs.unreadMentions, 0);
    assert.equal(bobs.muted, false);
  });

  test('a member who joins later starts reading at the join: earlier history is not unread', async () => {
    const dave = await registerUser(url, 'Dave');
    await joinGroup(url, dave, group);
    const daves = await attentionOf(url, dave.token, group);
    assert.equal(daves.unread, 0);
    assert.ok(daves.readSeq! > 0, 'the join moved the read position');
    await sendText(aliceSocket, aliceToken, 'welcome');
    assert.equal((await attentionOf(url, dave.token, group)).unread, 1, 'what comes after the join counts');
  });

  test('read:set only moves forward, is clamped to the end, and is for members only', async () => {
    const head = (await attentionOf(url, alice.token, group)).readSeq!;
    const first = await readSet(bobSocket, group, head - 1);
    assert.deepEqual(first, { sessionid: group, seq: head - 1 });
    assert.equal((await attentionOf(url, bob.token, group)).unread, 1);
    const back = await readSet(bobSocket, group, 1);
    assert.deepEqual(back, { sessionid: group, seq: head - 1 }, 'a lower seq changes nothing; the ack says where it is');
    const beyond = await readSet(bobSocket, group, head + 1000);
    assert.deepEqual(beyond, { sessionid: group, seq: head }, 'clamped to the last seq');
    const now = await attentionOf(url, bob.token, group);
    assert.equal(now.readSeq, head);
    assert.equal(now.unread, 0);

    const stranger = await registerUser(url, 'Stranger');
    const strangerSocket = await connectSocket(url, stranger.token);
    try {
      const refused = await readSet(strangerSocket, group, 1);
      assert.equal(refused.error?.code, 'not_member');
      const invalid = await readSet(bobSocket, group, -1);
      assert.equal(invalid.error?.code, 'invalid_input');
    } finally {
      strangerSocket.close();
    }
  });

  test('two sign-ins of one user see the same counts, and the other device hears the new position', async () => {
    const secondToken = await signInAgain(url, bob);
    const second = await connectSocket(url, secondToken);
    try {
      await sendText(aliceSocket, aliceToken, 'four');
      const last = await sendText(aliceSocket, aliceToken, 'five');
      const [one, two] = await Promise.all([attentionOf(url, bob.token, group), attentionOf(url, secondToken, group)]);
      assert.deepEqual(one, two);
      assert.equal(one.unread, 2);
      const heard = collect(second, 'read', 1, (e) => e.sessionid === group);
      const notEcho = collect(bobSocket, 'read', 1, (e) => e.sessionid === group && e.uid === bob.uid, 700).catch(() => null);
      await readSet(bobSocket, group, last.seq);
      assert.deepEqual((await heard)[0], { sessionid: group, uid: bob.uid, seq: last.seq });
      assert.equal(await notEcho, null, 'the socket that read gets the ack, not an event');
      const [a, b] = await Promise.all([attentionOf(url, bob.token, group), attentionOf(url, secondToken, group)]);
      assert.deepEqual(a, b);
      assert.equal(a.unread, 0);
    } finally {
      second.close();
    }
  });

  test('deleted messages and change events do not count', async () => {
    const { readSeq } = await attentionOf(url, bob.token, group);
    const doomed = await sendText(aliceSocket, aliceToken, 'soon gone');
    await sendText(aliceSocket, aliceToken, 'stays');
    const del = await (aliceSocket.timeout(10_000) as any).emitWithAck('message:delete', { sessionToken: aliceToken, msgid: doomed.msgid });
    assert.ok(del.seq, JSON.stringify(del));
    const now = await attentionOf(url, bob.token, group);
    assert.equal(now.readSeq, readSeq);
    assert.equal(now.unread, 1, 'the deleted message and the delete event are not unread');
  });

  test('receipts reach the other members and stop when the reader turns them off', async () => {
    const last = await sendText(aliceSocket, aliceToken, 'receipt please');
    const aliceHears = collect(aliceSocket, 'read', 1, (e) => e.uid === bob.uid && e.seq === last.seq);
    const carolHears = collect(carolSocket, 'read', 1, (e) => e.uid === bob.uid && e.seq === last.seq);
    await readSet(bobSocket, group, last.seq);
    assert.deepEqual((await aliceHears)[0], { sessionid: group, uid: bob.uid, seq: last.seq });
    await carolHears;
    const reads = await http(url, 'GET', `/api/sessions/${group}/reads`, { token: alice.token });
    assert.equal(reads.status, 200);
    assert.ok(reads.body.reads.some((r: any) => r.uid === bob.uid && r.seq === last.seq), JSON.stringify(reads.body));
    assert.ok(!reads.body.reads.some((r: any) => r.uid === alice.uid), 'the caller is not listed');

    // Bob turns receipts off: his reads reach nobody, and he sees nobody's.
    const off = await http(url, 'PATCH', '/api/me', { token: bob.token, body: { readReceipts: false } });
    assert.equal(off.status, 200);
    assert.equal(off.body.user.readReceipts, false);
    assert.equal((await http(url, 'GET', '/api/me', { token: bob.token })).body.user.readReceipts, false);
    assert.equal((await http(url, 'GET', '/api/me', { token: alice.token })).body.user.readReceipts, true);
    const next = await sendText(aliceSocket, aliceToken, 'no receipt');
    const silent = collect(aliceSocket, 'read', 1, (e) => e.uid === bob.uid, 800).catch(() => null);
    await readSet(bobSocket, group, next.seq);
    assert.equal(await silent, null, 'no receipt from a reader with receipts off');
    const listed = await http(url, 'GET', `/api/sessions/${group}/reads`, { token: alice.token });
    assert.ok(!listed.body.reads.some((r: any) => r.uid === bob.uid));
    const bobSees = collect(bobSocket, 'read', 1, (e) => e.uid === carol.uid, 800).catch(() => null);
    await readSet(carolSocket, group, next.seq);
    assert.equal(await bobSees, null, 'a user with receipts off sees none');
    assert.deepEqual((await http(url, 'GET', `/api/sessions/${group}/reads`, { token: bob.token })).body.reads, []);

    // On again: receipts flow again.
    await http(url, 'PATCH', '/api/me', { token: bob.token, body: { readReceipts: true } });
    const again = await sendText(aliceSocket, aliceToken, 'receipts back');
    const heard = collect(aliceSocket, 'read', 1, (e) => e.uid === bob.uid && e.seq === again.seq);
    await readSet(bobSocket, group, again.seq);
    await heard;
    assert.equal((await http(url, 'GET', `/api/sessions/${group}/reads`, { token: alice.token })).status, 200);
    const stranger = await registerUser(url, 'Outsider');
    assert.equal((await http(url, 'GET', `/api/sessions/${group}/reads`, { token: stranger.token })).status, 403);
  });

  test('a sender\'s own read position reaches their other devices', async () => {
    const second = await connectSocket(url, await signInAgain(url, alice));
    try {
      const heard = collect(second, 'read', 1, (e) => e.uid === alice.uid);
      const others = collect(carolSocket, 'read', 1, (e) => e.uid === alice.uid, 700).catch(() => null);
      const sent = await sendText(aliceSocket, aliceToken, 'from my phone');
      assert.deepEqual((await heard)[0], { sessionid: group, uid: alice.uid, seq: sent.seq });
      assert.equal(await others, null, 'the message itself tells the other members');
    } finally {
      second.close();
      await sleep(50);
    }
  });
});
