import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { collect, connectSocket, createGroup, registerUser, type TestSocket, request, joinGroup } from '../support/client';
import type { RunningServer } from '../support/server';
import { CallPeer, debugInfo, startCallServer } from '../support/calls';
import { prepareMediasoup, closeAll } from '../support/media';
import { waitFor } from '../support/wait';

let server: RunningServer;
const open: { close(): void }[] = [];

before(
  async () => {
    await prepareMediasoup();
    // One mediasoup worker: its death takes the whole room, which comes back on the replacement.
    // (A call spread over several workers loses only the peers of the dead one: spread.test.ts.)
    server = await startCallServer(1, { MEDIA_WORKERS: '1' });
  },
  { timeout: 15 * 60_000 },
);
after(async () => {
  await closeAll(open);
  await server?.stop();
});

async function flowing(peers: CallPeer[]): Promise<void> {
  const start = await Promise.all(peers.map((p) => p.received()));
  await waitFor('media flowing again', async () => {
    const now = await Promise.all(peers.map((p) => p.received()));
    return peers.every((p, i) =>
      peers
        .filter((q) => q !== p)
        .every((q) => ['audio', 'video'].every((k) => (now[i][`${q.uid}:${k}`] ?? 0) > (start[i][`${q.uid}:${k}`] ?? 0) + 10)),
    );
  }, 25_000);
}

test('a mediasoup worker killed during a call: the room comes back, peers reconnect and media flows again', { timeout: 100_000 }, async () => {
  const url = server.url;
  const [a, b] = await Promise.all(['Ann', 'Ben'].map((n) => registerUser(url, n)));
  const group = await createGroup(url, a, 'Sturdy call');
  await joinGroup(url, b, group.sessionid);
  const sockets: TestSocket[] = await Promise.all([a, b].map((u) => connectSocket(url, u.token)));
  open.push(...sockets);
  const { call } = await request(sockets[0], 'call:start', { sessionid: group.sessionid, kind: 'video' });
  const peers = [new CallPeer('A', a.uid, sockets[0]), new CallPeer('B', b.uid, sockets[1])];
  open.push(...peers);
  for (const p of peers) await p.join(call.callid);
  await flowing(peers);

  const [proc] = await debugInfo(sockets[0]);
  const workerPid = proc.calls.find((c) => c.callid === call.callid)!.workerPid!;
  assert.ok(proc.workers.some((w) => w.pid === workerPid));
  const reconnects = peers.map((p) => collect(p.socket, 'call:reconnectMedia', 1, (e) => e.callid === call.callid, 20_000));
  process.kill(workerPid, 'SIGKILL');
  await Promise.all(reconnects);

  // Each peer negotiates afresh on the new router.
  for (const p of peers) await p.join(call.callid);
  await flowing(peers);

  const after = await waitFor('the dead worker replaced', async () => {
    const [info] = await debugInfo(sockets[0]);
    return info.workers.length === 1 && info.workers.every((w) => w.pid !== workerPid && !w.closed) ? info : undefined;
  });
  const moved = after.calls.find((c) => c.callid === call.callid)!;
  assert.notEqual(moved.workerPid, workerPid);
  assert.equal(moved.consumers, 4);
  // The call itself went on: still the same call, both participants in it.
  assert.deepEqual(moved.participants.sort(), [a.uid, b.uid].sort());
  for (const p of peers) await p.leave();
});
