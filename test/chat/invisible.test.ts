import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { collect, connectSocket, createGroup, emitAck, http, registerUser, type TestSocket, type TestUser } from '../support/client';
import { startServer, type RunningServer } from '../support/server';

// S10: an invisible user must look exactly like an offline one to everybody else.
let server: RunningServer;
let url: string;
let alice: TestUser; // the observer
let ivy: TestUser; // connected, invisible
let olga: TestUser; // offline
let vic: TestUser; // visible, for sentinels
let sessionid: string;
let aliceSocket: TestSocket;
let vicSocket: TestSocket;

before(async () => {
  server = await startServer();
  url = server.url;
  [alice, ivy, olga, vic] = await Promise.all(['Alice', 'Ivy', 'Olga', 'Vic'].map((n) => registerUser(server.url, n)));
  sessionid = (await createGroup(url, alice, 'Watchers')).sessionid;
  for (const u of [ivy, olga, vic]) await http(url, 'POST', `/api/sessions/${sessionid}/join`, { token: u.token });
  aliceSocket = await connectSocket(url, alice.token);
  vicSocket = await connectSocket(url, vic.token);
  const ivySocket = await connectSocket(url, ivy.token);
  const hidden = collect(aliceSocket, 'presence', 1, (p) => p.uid === ivy.uid && p.status === 'offline');
  assert.deepEqual(await emitAck(ivySocket, 'presence:set', { status: 'invisible' }), { ok: true });
  await hidden; // going invisible looks like going offline
  ivySocket.close();
});
after(async () => {
  aliceSocket.close();
  vicSocket.close();
  await server.stop();
});

/** Every presence event Alice receives until Vic's sentinel status arrives. */
async function presenceUntilSentinel(status: 'away' | 'busy' | 'online'): Promise<{ uid: string; status: string }[]> {
  const seen: { uid: string; status: string }[] = [];
  const record = (p: { uid: string; status: string }) => seen.push(p);
  aliceSocket.on('presence', record);
  try {
    const sentinel = collect(aliceSocket, 'presence', 1, (p) => p.uid === vic.uid && p.status === status);
    // Let connect/disconnect work already under way reach the room before the sentinel is sent.
    await new Promise((r) => setTimeout(r, 500));
    await emitAck(vicSocket, 'presence:set', { status });
    await sentinel;
  } finally {
    aliceSocket.off('presence', record);
  }
  return seen;
}

test('an invisible user connecting, reconnecting and leaving sends nothing, as an offline user does', async () => {
  const first = await connectSocket(url, ivy.token);
  assert.deepEqual(await emitAck(first, 'presence:set', { status: 'invisible' }), { ok: true });
  const second = await connectSocket(url, ivy.token);
  first.close();
  second.close();
  const seen = await presenceUntilSentinel('away');
  assert.deepEqual(seen.filter((p) => p.uid === ivy.uid), [], JSON.stringify(seen));
});

test('member lists show an invisible member exactly as an offline one', async () => {
  const ivySocket = await connectSocket(url, ivy.token);
  try {
    const { members } = (await http(url, 'GET', `/api/sessions/${sessionid}`, { token: alice.token })).body as { members: Record<string, unknown>[] };
    const strip = (uid: string) => {
      const m = members.find((x) => x.uid === uid);
      assert.ok(m, `member ${uid} is listed`);
      const { uid: _u, nickname: _n, ...rest } = m;
      return JSON.stringify(rest);
    };
    assert.equal(strip(ivy.uid), strip(olga.uid));
    assert.equal(JSON.parse(strip(ivy.uid)).presence, 'offline');
    // The user view carries no presence at all: same fields for both.
    const view = async (u: TestUser) => Object.keys((await http(url, 'GET', `/api/users/${u.uid}`, { token: alice.token })).body.user).sort();
    assert.deepEqual(await view(ivy), await view(olga));
  } finally {
    ivySocket.close();
  }
});

test('a visible user still goes offline when their last socket closes', async () => {
  const extra = await registerUser(url, 'Visible');
  await http(url, 'POST', `/api/sessions/${sessionid}/join`, { token: extra.token });
  const socket = await connectSocket(url, extra.token);
  const offline = collect(aliceSocket, 'presence', 1, (p) => p.uid === extra.uid && p.status === 'offline');
  socket.close();
  await offline;
});
