import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { collect, connectSocket, createGroup, joinGroup, registerUser, request, type TestSocket } from '../support/client';
import { CallPeer, debugInfo, startCallServer } from '../support/calls';
import { closeAll, prepareMediasoup } from '../support/media';
import type { RunningServer } from '../support/server';
import { sleep, waitFor } from '../support/wait';

let server: RunningServer;
const open: { close(): void }[] = [];

before(
  async () => {
    await prepareMediasoup();
    server = await startCallServer(1, { MEDIA_WORKERS: '2' });
  },
  { timeout: 15 * 60_000 },
);
after(async () => {
  await closeAll(open);
  await server?.stop();
});

const KINDS = ['audio', 'video'] as const;

/** Waits until each receiver got more than `margin` new packets of both kinds from each sender. */
async function flowing(receivers: CallPeer[], senders: CallPeer[], margin = 10): Promise<void> {
  const start = await Promise.all(receivers.map((p) => p.received()));
  await waitFor('media flowing between every pair', async () => {
    const now = await Promise.all(receivers.map((p) => p.received()));
    return receivers.every((r, i) =>
      senders.filter((s) => s !== r).every((s) => KINDS.every((k) => (now[i][`${s.uid}:${k}`] ?? 0) > (start[i][`${s.uid}:${k}`] ?? 0) + margin)),
    );
  }, 30_000);
}

/** The packets each of `peers` received from each other one, per `<receiver>><sender>:<kind>`. */
async function sample(peers: CallPeer[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const got = await Promise.all(peers.map((p) => p.received()));
  peers.forEach((r, i) => {
    for (const s of peers) if (s !== r) for (const k of KINDS) out[`${r.name}>${s.name}:${k}`] = got[i][`${s.uid}:${k}`] ?? 0;
  });
  return out;
}

test('one call over two workers: peers spread, media piped between them, a dead worker costs only its own peers', { timeout: 180_000 }, async () => {
  const url = server.url;
  const names = ['Ann', 'Ben', 'Cat', 'Dan'];
  const users = await Promise.all(names.map((n) => registerUser(url, n)));
  const group = await createGroup(url, users[0], 'Spread call');
  for (const u of users.slice(1)) await joinGroup(url, u, group.sessionid);
  const sockets: TestSocket[] = await Promise.all(users.map((u) => connectSocket(url, u.token)));
  open.push(...sockets);
  const { call } = await request(sockets[0], 'call:start', { sessionid: group.sessionid, kind: 'video' });
  const peers = users.map((u, i) => new CallPeer(names[i], u.uid, sockets[i]));
  open.push(...peers);
  for (const p of peers) await p.join(call.callid);
  await flowing(peers, peers);

  // The peers' transports are on both workers, and producers are piped between them.
  const [proc] = await debugInfo(sockets[0]);
  const info = proc.calls.find((c) => c.callid === call.callid)!;
  assert.equal(proc.workers.length, 2);
  const placed = peers.map((p) => info.placements[p.uid]);
  assert.ok(placed.every((x) => x), 'every peer has a worker');
  assert.equal(new Set(placed.map((x) => x!.workerPid)).size, 2, `peers on both workers: ${JSON.stringify(info.placements)}`);
  for (const x of placed) assert.equal(proc.workers.find((w) => w.pid === x!.workerPid)?.port, x!.port, 'each peer uses its worker\'s WebRtcServer');
  assert.equal(info.workers.length, 2);
  assert.ok(info.workers.every((w) => w.pipes > 0 && w.transports > 0), `both workers pipe: ${JSON.stringify(info.workers)}`);
  // Every peer consumes the 3 others' audio and video: 24 consumers over both workers.
  assert.equal(info.workers.reduce((n, w) => n + w.consumers, 0), 24);
  assert.equal(info.consumers, 24);

  // Kill one worker: only its peers reconnect; the others' media between them never stops.
  const victimPid = placed[0]!.workerPid;
  const lost = peers.filter((_, i) => placed[i]!.workerPid === victimPid);
  const kept = peers.filter((p) => !lost.includes(p));
  assert.ok(lost.length >= 1 && kept.length >= 2, `${lost.length} on the killed worker, ${kept.length} on the other`);
  const reconnects = lost.map((p) => collect(p.socket, 'call:reconnectMedia', 1, (e) => e.callid === call.callid, 20_000));
  let keptReconnects = 0;
  for (const p of kept) p.socket.on('call:reconnectMedia', () => keptReconnects++);
  const samples = [await sample(kept)];
  process.kill(victimPid, 'SIGKILL');
  await Promise.all(reconnects);
  for (let i = 0; i < 4; i++) {
    await sleep(1_000);
    samples.push(await sample(kept));
  }
  for (let i = 1; i < samples.length; i++) {
    for (const [key, n] of Object.entries(samples[i])) {
      assert.ok(n > samples[i - 1][key]!, `${key} kept flowing through the worker's death (second ${i}: ${samples[i - 1][key]} -> ${n})`);
    }
  }
  assert.equal(keptReconnects, 0, 'the peers on the surviving worker keep their media');

  // The lost peers join again and everyone receives everyone.
  for (const p of lost) await p.join(call.callid);
  await flowing(peers, peers);
  assert.equal(keptReconnects, 0);

  const [later] = await debugInfo(sockets[0]);
  const still = later.calls.find((c) => c.callid === call.callid)!;
  assert.deepEqual([...still.participants].sort(), users.map((u) => u.uid).sort());
  assert.ok(Object.values(still.placements).every((x) => x && x.workerPid !== victimPid), 'nobody on the dead worker');
  assert.equal(still.consumers, 24);
  for (const p of peers) await p.leave();
});
