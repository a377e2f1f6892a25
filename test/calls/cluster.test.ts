import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { collect, connectWithWelcome, createGroup, registerUser, type TestSocket, AckError, request, joinGroup } from '../support/client';
import type { RunningServer } from '../support/server';
import { CallPeer, debugInfo, startCallServer } from '../support/calls';
import { prepareMediasoup, closeAll } from '../support/media';
import { waitFor, within } from '../support/wait';

let server: RunningServer;
const open: { close(): void }[] = [];

before(
  async () => {
    await prepareMediasoup();
    server = await startCallServer(2, { MEDIA_WORKERS: '1' });
  },
  { timeout: 15 * 60_000 },
);
after(async () => {
  await closeAll(open);
  await server?.stop();
});

test('two peers on different worker processes share a call (requests forwarded to the owner)', { timeout: 100_000 }, async () => {
  const url = server.url;
  const [a, b, outsider] = await Promise.all(['East', 'West', 'Outsider'].map((n) => registerUser(url, n)));
  const group = await createGroup(url, a, 'Across processes');
  await joinGroup(url, b, group.sessionid);

  const left = await connectWithWelcome(url, a.token);
  open.push(left.socket);
  let right = await connectWithWelcome(url, b.token);
  const extra: TestSocket[] = [];
  for (let i = 0; i < 10 && right.node === left.node; i++) {
    extra.push(right.socket);
    right = await connectWithWelcome(url, b.token);
  }
  open.push(right.socket, ...extra);
  assert.notEqual(right.node, left.node, 'the two peers are served by different processes');

  const ring = collect(right.socket, 'call:ring', 1);
  const { call } = await request(left.socket, 'call:start', { sessionid: group.sessionid, kind: 'video' });
  await ring;
  // B's process does not own the call: its requests are forwarded to A's.
  const peers = [new CallPeer('A', a.uid, left.socket), new CallPeer('B', b.uid, right.socket)];
  open.push(...peers);
  for (const p of peers) await within(`${p.name} joins the call`, p.join(call.callid), 60_000);
  const listed = await request(right.socket, 'call:list', {});
  assert.deepEqual(listed.calls.map((c: any) => c.callid), [call.callid]);

  await waitFor('media both ways across processes', async () => {
    const [ra, rb] = await Promise.all(peers.map((p) => p.received()));
    return ['audio', 'video'].every((k) => (ra[`${b.uid}:${k}`] ?? 0) > 30 && (rb[`${a.uid}:${k}`] ?? 0) > 30);
  });
  const processes = await debugInfo(right.socket);
  assert.equal(processes.length, 2);
  const owner = processes.find((p) => p.calls.some((c) => c.callid === call.callid))!;
  assert.equal(owner.node, left.node);
  // Each process has its own WebRTC port.
  assert.notEqual(processes[0].workers[0].port, processes[1].workers[0].port);

  // A non-member on either process is refused by the owner.
  for (let i = 0; i < 4; i++) {
    const o = await connectWithWelcome(url, outsider.token);
    open.push(o.socket);
    await assert.rejects(request(o.socket, 'call:join', { callid: call.callid }), (err: AckError) => err.code === 'not_member');
    await assert.rejects(
      request(o.socket, 'call:transport:create', { callid: call.callid, direction: 'recv' }),
      (err: AckError) => err.code === 'not_member',
    );
  }

  // B disconnects (no leave): its process tells the owner, and A's consumers of B close.
  const closedAtA = collect(left.socket, 'call:consumer:closed', 2);
  right.socket.close();
  await closedAtA;
  const ended = collect(left.socket, 'call:ended', 1);
  await peers[0].leave();
  assert.equal((await ended)[0].reason, 'all_left');
});
