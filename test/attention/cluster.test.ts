import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { collect, connectWithWelcome, createGroup, http, joinGroup, registerUser, sendText, sessionToken, type TestSocket } from '../support/client';
import { startServer, type RunningServer } from '../support/server';
import { sleep, waitFor } from '../support/wait';
import { readSet } from './attentionSteps';
import { TestPushService } from './pushEndpoint';

let server: RunningServer;
let push: TestPushService;
before(async () => {
  push = await TestPushService.start();
  server = await startServer({ workers: 2, env: { PUSH_ALLOW_HTTP: '1' } });
});
after(async () => {
  await server?.stop();
  await push?.close();
});

test('receipts and the "no socket anywhere" rule of pushes hold across worker processes', async () => {
  const url = server.url;
  const alice = await registerUser(url, 'Alice');
  const bob = await registerUser(url, 'Bob');
  const group = (await createGroup(url, alice, 'Across')).sessionid;
  await joinGroup(url, bob, group);
  const device = push.subscription('/bob');
  assert.equal((await http(url, 'POST', '/api/push/subscriptions', { token: bob.token, body: device.toJSON() })).status, 201);

  // Least-connection balancing spreads sockets over the workers; keep connecting Bob until he lands elsewhere.
  const left = await connectWithWelcome(url, alice.token);
  const extra: TestSocket[] = [];
  let right = await connectWithWelcome(url, bob.token);
  for (let i = 0; i < 10 && right.node === left.node; i++) {
    extra.push(right.socket);
    right = await connectWithWelcome(url, bob.token);
  }
  assert.notEqual(right.node, left.node, 'the two users are served by different processes');
  for (const s of extra) s.close();

  const aliceToken = await sessionToken(url, alice, group);
  const sent = await sendText(left.socket, aliceToken, 'across the processes');
  await sleep(1000);
  assert.equal(push.to('/bob').length, 0, 'Bob has a socket on the other process: no push');

  const receipt = collect(left.socket, 'read', 1, (e) => e.uid === bob.uid);
  await readSet(right.socket, group, sent.seq);
  assert.deepEqual((await receipt)[0], { sessionid: group, uid: bob.uid, seq: sent.seq });

  right.socket.close();
  await waitFor('Bob offline', async () => {
    const res = await http(url, 'GET', `/api/sessions/${group}`, { token: alice.token });
    return res.body.members.find((m: any) => m.uid === bob.uid)?.presence === 'offline';
  });
  await sendText(left.socket, aliceToken, 'now he is away');
  const got = await waitFor('a push to Bob', () => push.to('/bob')[0], 10_000, 50);
  assert.equal(JSON.parse(device.decrypt(got.body)).body, 'Alice: now he is away');
  left.socket.close();
});
