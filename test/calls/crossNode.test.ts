// A call across two nodes (issue 7 item 2): two server processes (WORKERS=1 each) on one DATA_DIR,
// so they share the development database and the embedded Redis broker. A peer on node 1 starts a
// video call, a peer on node 2 joins it: node 2 relays the call's signaling to node 1 (the owner,
// `call:rpc` over the Redis adapter) and its peer's media goes straight to node 1's WebRtcServer.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { collect, connectWithWelcome, createGroup, registerUser, request, joinGroup } from '../support/client';
import type { RunningServer } from '../support/server';
import { CallPeer, debugInfo, startTwoNodes } from '../support/calls';
import { closeAll, prepareMediasoup } from '../support/media';
import { waitFor } from '../support/wait';

let node1: RunningServer | undefined;
let node2: RunningServer | undefined;
const open: { close(): void }[] = [];

before(
  async () => {
    await prepareMediasoup();
    [node1, node2] = await startTwoNodes('call-nodes');
  },
  { timeout: 15 * 60_000 },
);
after(async () => {
  await closeAll(open);
  await Promise.all([node1?.stop(), node2?.stop()]);
});

test('a video call across two nodes: signaling relayed to the owning node, media both ways', { timeout: 90_000 }, async () => {
  const [n1, n2] = [node1!.url, node2!.url];
  const a = await registerUser(n1, 'On node 1');
  const b = await registerUser(n2, 'On node 2');
  const group = await createGroup(n1, a, 'Call across nodes');
  await joinGroup(n2, b, group.sessionid);

  const left = await connectWithWelcome(n1, a.token);
  const right = await connectWithWelcome(n2, b.token);
  open.push(left.socket, right.socket);
  assert.notEqual(left.node, right.node, 'the two peers are served by different nodes');

  // The ring crosses nodes; node 2 lists the call node 1 owns.
  const ring = collect(right.socket, 'call:ring', 1);
  const { call } = await request(left.socket, 'call:start', { sessionid: group.sessionid, kind: 'video' });
  assert.equal((await ring)[0].call.callid, call.callid);
  assert.deepEqual((await request(right.socket, 'call:list', {})).calls.map((c: any) => c.callid), [call.callid]);

  // B's requests (join, transports, produce, consume) go to node 2, which forwards them to node 1.
  const peers = [new CallPeer('A', a.uid, left.socket), new CallPeer('B', b.uid, right.socket)];
  open.push(...peers);
  for (const p of peers) await p.join(call.callid);
  await waitFor('media both ways across nodes', async () => {
    const [ra, rb] = await Promise.all(peers.map((p) => p.received()));
    return ['audio', 'video'].every((k) => (ra[`${b.uid}:${k}`] ?? 0) > 30 && (rb[`${a.uid}:${k}`] ?? 0) > 30);
  });

  // call:debug gathers both nodes: node 1 holds the call (both peers' producers and consumers), node 2 none.
  const processes = await debugInfo(right.socket);
  assert.deepEqual(processes.map((p) => p.node).sort(), [left.node, right.node].sort());
  const owner = processes.find((p) => p.node === left.node)!;
  const other = processes.find((p) => p.node === right.node)!;
  const held = owner.calls.find((c) => c.callid === call.callid);
  assert.ok(held, 'node 1 owns the call');
  assert.equal(held.producers, 4);
  assert.equal(held.consumers, 4);
  assert.deepEqual(held.participants.sort(), [a.uid, b.uid].sort());
  assert.equal(other.calls.length, 0);
  assert.notEqual(owner.workers[0].port, other.workers[0].port);

  // B leaves through node 2: A's consumers of B close; then A leaves and the call ends on both nodes.
  const closedAtA = collect(left.socket, 'call:consumer:closed', 2);
  await peers[1].leave();
  await closedAtA;
  const endedAtB = collect(right.socket, 'call:ended', 1);
  await peers[0].leave();
  assert.equal((await endedAtB)[0].reason, 'all_left');
  assert.deepEqual((await request(right.socket, 'call:list', {})).calls, []);
});
