import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { collect, connectSocket, createGroup, emitAck, http, registerUser, type TestSocket, type TestUser } from '../support/client';
import { startServer, type RunningServer } from '../support/server';

// Per-user limits (issue 10, finding 10), small here so floods cross them quickly.
const PRESENCE_RATE = 1; // bursts of 5
const SYNC_RATE = 1; // bursts of 5
const TYPING_RATE = 1; // bursts of 2
const GROUPS_PER_HOUR = 5;

let server: RunningServer;
let url: string;

before(async () => {
  server = await startServer({
    env: {
      PRESENCE_RATE: String(PRESENCE_RATE),
      SYNC_RATE: String(SYNC_RATE),
      TYPING_RATE: String(TYPING_RATE),
      GROUPS_PER_HOUR: String(GROUPS_PER_HOUR),
    },
  });
  url = server.url;
});
after(() => server.stop());

/** Most a token bucket of `rate`/s and `burst` can grant in `ms`. */
const allowance = (rate: number, burst: number, ms: number) => burst + Math.ceil((rate * ms) / 1000);

async function pair(): Promise<{ alice: TestUser; bob: TestUser; sessionid: string; aliceSocket: TestSocket; bobSocket: TestSocket }> {
  const alice = await registerUser(url, 'Alice');
  const bob = await registerUser(url, 'Bob');
  const sessionid = (await createGroup(url, alice, 'Limits')).sessionid;
  await http(url, 'POST', `/api/sessions/${sessionid}/join`, { token: bob.token });
  return { alice, bob, sessionid, aliceSocket: await connectSocket(url, alice.token), bobSocket: await connectSocket(url, bob.token) };
}

test('500 presence:set: the few within the rate are broadcast, the rest refused as rate_limited', async () => {
  const { alice, bob, aliceSocket, bobSocket } = await pair();
  // A second socket of the same user shares the user's allowance.
  const bobOther = await connectSocket(url, bob.token);
  const broadcasts: unknown[] = [];
  // Only away and busy are counted: the second socket's connect announces Bob online on its own.
  aliceSocket.on('presence', (p) => {
    if (p.uid === bob.uid && p.status !== 'online') broadcasts.push(p);
  });
  const statuses = ['away', 'busy'] as const;
  const started = Date.now();
  const acks = await Promise.all(
    Array.from({ length: 500 }, (_, i) => emitAck(i % 2 ? bobOther : bobSocket, 'presence:set', { status: statuses[i % 2]! }, 30_000)),
  );
  const elapsed = Date.now() - started;
  const ok = acks.filter((a) => a?.ok === true).length;
  const limited = acks.filter((a) => a?.error?.code === 'rate_limited');
  assert.equal(ok + limited.length, 500, 'every request is answered');
  assert.ok(limited.every((a) => a.error.retryable === true), 'rate_limited is retryable');
  assert.ok(ok >= 1 && ok <= allowance(PRESENCE_RATE, PRESENCE_RATE * 5, elapsed), `accepted ${ok} in ${elapsed} ms`);
  // Bob's broadcasts go out before his acks; Alice's own status change, sent after them, arrives after them too.
  const sentinel = collect(aliceSocket, 'presence', 1, (p) => p.uid === alice.uid && p.status === 'busy');
  await emitAck(aliceSocket, 'presence:set', { status: 'busy' });
  await sentinel;
  assert.equal(broadcasts.length, ok, 'one broadcast per accepted change, none for refused ones');
  bobOther.close();
  aliceSocket.close();
  bobSocket.close();
});

test('group creation is refused beyond GROUPS_PER_HOUR, and creates nothing', async () => {
  const carol = await registerUser(url, 'Carol');
  const results = [];
  for (let i = 0; i < 20; i++) results.push(await http(url, 'POST', '/api/sessions', { token: carol.token, body: { name: `Group ${i}` } }));
  const created = results.filter((r) => r.status === 201).length;
  assert.equal(created, GROUPS_PER_HOUR);
  const refused = results.filter((r) => r.status === 429);
  assert.equal(refused.length, 20 - GROUPS_PER_HOUR);
  assert.equal(refused[0]!.body.error.code, 'rate_limited');
  assert.ok(Number(refused[0]!.headers.get('retry-after')) >= 1);
  const mine = (await http(url, 'GET', '/api/sessions?type=group', { token: carol.token })).body.sessions;
  assert.equal(mine.length, GROUPS_PER_HOUR);
  // Another user is not affected.
  assert.equal((await http(url, 'POST', '/api/sessions', { token: (await registerUser(url, 'Dan')).token, body: { name: 'Mine' } })).status, 201);
});

test('a sync flood is refused beyond the rate, without serving messages', async () => {
  const { aliceSocket, bobSocket, sessionid } = await pair();
  const started = Date.now();
  const acks = await Promise.all(Array.from({ length: 100 }, () => emitAck(bobSocket, 'sync', { cursors: { [sessionid]: 0 } }, 30_000)));
  const elapsed = Date.now() - started;
  const ok = acks.filter((a) => Array.isArray(a?.messages)).length;
  const limited = acks.filter((a) => a?.error?.code === 'rate_limited');
  assert.equal(ok + limited.length, 100);
  assert.ok(ok >= 1 && ok <= allowance(SYNC_RATE, SYNC_RATE * 5, elapsed), `served ${ok} in ${elapsed} ms`);
  assert.ok(limited.every((a) => a.error.retryable === true && !('messages' in a)));
  aliceSocket.close();
  bobSocket.close();
});

test('typing beyond the rate is not relayed: rate_limited with an ack, dropped silently without', async () => {
  const { bob, sessionid, aliceSocket, bobSocket } = await pair();
  let relayed = 0;
  aliceSocket.on('typing', (t) => {
    if (t.uid === bob.uid) relayed++;
  });
  const started = Date.now();
  const acks = await Promise.all(Array.from({ length: 20 }, () => emitAck(bobSocket, 'typing', { sessionid })));
  for (let i = 0; i < 50; i++) bobSocket.emit('typing', { sessionid });
  const elapsed = Date.now() - started;
  const ok = acks.filter((a) => a?.ok === true).length;
  assert.ok(acks.some((a) => a?.error?.code === 'rate_limited'));
  // Bob's own ack after the silent ones: everything before it was handled.
  await emitAck(bobSocket, 'presence:set', { status: 'online' });
  await new Promise((r) => setTimeout(r, 300));
  assert.ok(relayed <= allowance(TYPING_RATE, TYPING_RATE * 2, Date.now() - started), `relayed ${relayed}, acked ok ${ok}, ${elapsed} ms`);
  assert.ok(bobSocket.connected, 'unacknowledged typing over the limit does not cost the connection');
  aliceSocket.close();
  bobSocket.close();
});
