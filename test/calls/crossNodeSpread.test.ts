// A node dying mid-call (issue 15): its participants' media goes with it, the others keep theirs and
// hear the lost producers closed; the call, owned by the surviving node, goes on.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { collect, connectWithWelcome, createGroup, joinGroup, registerUser, request } from '../support/client';
import { CallPeer, debugInfo, twoNodesForFile } from '../support/calls';
import { sleep, waitFor } from '../support/wait';

const nodes = twoNodesForFile('call-spread-nodes');
const open = nodes.open;

test('a node dies mid-call: only its participants\' media goes, the owner\'s call goes on', { timeout: 120_000 }, async () => {
  const [n1, n2] = [nodes.node1!.url, nodes.node2!.url];
  const [a, d] = await Promise.all(['Ann', 'Dan'].map((n) => registerUser(n1, n)));
  const b = await registerUser(n2, 'Ben');
  const group = await createGroup(n1, a, 'Node loss');
  await joinGroup(n1, d, group.sessionid);
  await joinGroup(n2, b, group.sessionid);
  const sa = await connectWithWelcome(n1, a.token);
  const sd = await connectWithWelcome(n1, d.token);
  const sb = await connectWithWelcome(n2, b.token);
  open.push(sa.socket, sd.socket, sb.socket);
  assert.notEqual(sa.node, sb.node);

  const { call } = await request(sa.socket, 'call:start', { sessionid: group.sessionid, kind: 'video' });
  const peers = [new CallPeer('A', a.uid, sa.socket), new CallPeer('D', d.uid, sd.socket), new CallPeer('B', b.uid, sb.socket)];
  open.push(...peers);
  for (const p of peers) await p.join(call.callid);
  await waitFor('media between every pair', async () => {
    const got = await Promise.all(peers.map((p) => p.received()));
    return peers.every((r, i) => peers.filter((s) => s !== r).every((s) => ['audio', 'video'].every((k) => (got[i][`${s.uid}:${k}`] ?? 0) > 30)));
  }, 40_000);

  // Node 2 dies without a word: A and D hear B's two producers closed.
  const closedAt = [sa, sd].map((s) => collect(s.socket, 'call:producer:closed', 2, (e) => e.callid === call.callid && e.uid === b.uid, 30_000));
  const before = await Promise.all(peers.slice(0, 2).map((p) => p.received()));
  await nodes.node2!.kill();
  nodes.node2 = undefined;
  await Promise.all(closedAt);

  // A and D never lost each other's media.
  await sleep(1_000);
  const later = await Promise.all(peers.slice(0, 2).map((p) => p.received()));
  for (const [i, j] of [[0, 1], [1, 0]] as const) {
    for (const k of ['audio', 'video']) {
      const key = `${peers[j].uid}:${k}`;
      assert.ok(later[i][key]! > before[i][key]! + 10, `${peers[i].name} still receives ${peers[j].name}'s ${k}`);
    }
  }
  const [owner] = await debugInfo(sa.socket);
  const held = owner.calls.find((c) => c.callid === call.callid)!;
  assert.deepEqual([...held.participants].sort(), [a.uid, d.uid].sort(), 'the call goes on without B');
  // Only A's and D's own media remains: 2 producers each, 2 consumers each (no import of B left).
  assert.equal(held.producers, 4);
  assert.equal(held.consumers, 4);
  // Its pipes to the dead node close once it stayed silent for two checks.
  await waitFor("the pipes to the dead node closed", async () => {
    const [info] = await debugInfo(sa.socket);
    return info.calls.find((c) => c.callid === call.callid)!.workers.reduce((n, w) => n + w.remotePipes, 0) === 0;
  }, 30_000);
  for (const p of peers.slice(0, 2)) await p.leave();
});
