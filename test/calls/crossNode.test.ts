// A call across two nodes (issue 7 item 2, issue 15): two server processes (WORKERS=1 each) on one
// DATA_DIR, so they share the development database and the embedded Redis broker. A peer on node 1
// starts a video call, peers on both nodes join it: node 2 relays the call's state (join, leave) to
// node 1 (the owner, over the Redis adapter), while each peer's media terminates on its own node's
// WebRtcServer and producers cross between the nodes over PipeTransports.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { collect, connectWithWelcome, createGroup, registerUser, request, joinGroup } from '../support/client';
import { CallPeer, debugInfo, twoNodesForFile } from '../support/calls';
import { waitFor } from '../support/wait';

const nodes = twoNodesForFile('call-nodes');
const open = nodes.open;

test('a video call across two nodes: state kept by the owning node, media on each peer\'s own node, piped between them', { timeout: 120_000 }, async () => {
  const [n1, n2] = [nodes.node1!.url, nodes.node2!.url];
  const a = await registerUser(n1, 'On node 1');
  const d = await registerUser(n1, 'Also on node 1');
  const b = await registerUser(n2, 'On node 2');
  const c = await registerUser(n2, 'Also on node 2');
  const group = await createGroup(n1, a, 'Call across nodes');
  await joinGroup(n1, d, group.sessionid);
  await joinGroup(n2, b, group.sessionid);
  await joinGroup(n2, c, group.sessionid);

  const left = await connectWithWelcome(n1, a.token);
  const right = await connectWithWelcome(n2, b.token);
  const left2 = await connectWithWelcome(n1, d.token);
  const right2 = await connectWithWelcome(n2, c.token);
  open.push(left.socket, right.socket, left2.socket, right2.socket);
  assert.notEqual(left.node, right.node, 'the two peers are served by different nodes');
  assert.equal(left2.node, left.node);
  assert.equal(right2.node, right.node);

  // The ring crosses nodes; node 2 lists the call node 1 owns.
  const ring = collect(right.socket, 'call:ring', 1);
  const { call } = await request(left.socket, 'call:start', { sessionid: group.sessionid, kind: 'video' });
  assert.equal((await ring)[0].call.callid, call.callid);
  assert.deepEqual((await request(right.socket, 'call:list', {})).calls.map((x: any) => x.callid), [call.callid]);

  // B's and C's joins go to node 1; their transports, producers and consumers stay on node 2.
  const peers = [
    new CallPeer('A', a.uid, left.socket),
    new CallPeer('B', b.uid, right.socket),
    new CallPeer('D', d.uid, left2.socket),
    new CallPeer('C', c.uid, right2.socket),
  ];
  open.push(...peers);
  for (const p of peers) await p.join(call.callid);
  await waitFor('media between every pair across nodes', async () => {
    const got = await Promise.all(peers.map((p) => p.received()));
    return peers.every((r, i) => peers.filter((s) => s !== r).every((s) => ['audio', 'video'].every((k) => (got[i][`${s.uid}:${k}`] ?? 0) > 30)));
  }, 40_000);

  // call:debug gathers both nodes: node 1 owns the call and holds A's and D's media, node 2's leg B's and C's.
  const processes = await debugInfo(right.socket);
  assert.deepEqual(processes.map((p) => p.node).sort(), [left.node, right.node].sort());
  const owner = processes.find((p) => p.node === left.node)!;
  const other = processes.find((p) => p.node === right.node)!;
  const held = owner.calls.find((x) => x.callid === call.callid);
  assert.ok(held, 'node 1 owns the call');
  assert.deepEqual([...held.participants].sort(), [a.uid, b.uid, c.uid, d.uid].sort());
  assert.equal(other.calls.length, 0);
  const leg = other.legs.find((x) => x.callid === call.callid);
  assert.ok(leg, `node 2 holds a leg of the call: ${JSON.stringify(processes)}`);
  assert.deepEqual([...leg.participants].sort(), [b.uid, c.uid].sort());
  // Each peer: 2 producers, 6 consumers (the three others' audio and video), on its own node.
  assert.equal(held.producers, 4);
  assert.equal(held.consumers, 12);
  const ownerPorts = owner.workers.map((w) => w.port);
  const otherPorts = other.workers.map((w) => w.port);
  assert.ok(ownerPorts.every((port) => !otherPorts.includes(port)));
  for (const uid of [a.uid, d.uid]) assert.ok(ownerPorts.includes(held.placements[uid]!.port), 'a node 1 peer uses node 1\'s WebRtcServer');
  for (const uid of [b.uid, c.uid]) assert.ok(otherPorts.includes(leg.placements[uid]!.port), 'a node 2 peer uses node 2\'s WebRtcServer');
  assert.equal(held.placements[b.uid], null, 'node 1 holds no media of B');
  const legConsumers = leg.workers.reduce((n, w) => n + w.consumers, 0);
  assert.equal(legConsumers, 12);
  // Each node imports the other's 4 producers once (shared by its two peers) and pipes its own 4 out.
  const pipesAt = (workers: { remotePipes: number }[]) => workers.reduce((n, w) => n + w.remotePipes, 0);
  assert.equal(pipesAt(held.workers), 8, `node 1 pipes: ${JSON.stringify(held.workers)}`);
  assert.equal(pipesAt(leg.workers), 8, `node 2 pipes: ${JSON.stringify(leg.workers)}`);

  // B leaves through node 2: the others' consumers of B close; then everyone leaves and the call ends on both nodes.
  const closedAtA = collect(left.socket, 'call:consumer:closed', 2);
  const closedAtC = collect(right2.socket, 'call:consumer:closed', 2);
  await peers[1].leave();
  await Promise.all([closedAtA, closedAtC]);
  const endedAtB = collect(right.socket, 'call:ended', 1);
  for (const p of [peers[3], peers[2], peers[0]]) await p.leave();
  assert.equal((await endedAtB)[0].reason, 'all_left');
  assert.deepEqual((await request(right.socket, 'call:list', {})).calls, []);
  const [after2] = await debugInfo(right.socket);
  assert.equal(after2.legs.length, 0, 'node 2 let go of its leg');
});
