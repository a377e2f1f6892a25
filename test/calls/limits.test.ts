/**
 * Per-user bounds on calls and on the media negotiation payloads, over real Socket.IO against the
 * real server and mediasoup: a burst of call:start by one user creates at most CALLS_PER_USER calls
 * (the rest too_many_calls, nothing created), other users still start theirs, a call that ended
 * frees its place, and call:start beyond CALL_START_RATE_PER_MINUTE is rate_limited (retryable).
 * call:produce with 1000 simulcast encodings and transport:connect with 400 DTLS fingerprints are
 * invalid_input and change nothing.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { connectSocket, createGroup, emitAck, registerUser, type TestSocket, type TestUser, AckError, request, history, joinGroup } from '../support/client';
import type { RunningServer } from '../support/server';
import { closeAll, prepareMediasoup } from '../support/media';
import { debugInfo, startCallServer } from '../support/calls';

let server: RunningServer;
const open: { close(): void }[] = [];

before(
  async () => {
    await prepareMediasoup();
    server = await startCallServer(1, { CALLS_PER_USER: '2', CALL_START_RATE_PER_MINUTE: '8', CALL_RING_TIMEOUT: '60' });
  },
  { timeout: 15 * 60_000 },
);
after(async () => {
  await closeAll(open);
  await server?.stop();
});

async function connect(user: TestUser): Promise<TestSocket> {
  const socket = await connectSocket(server.url, user.token);
  open.push(socket);
  return socket;
}

type Answer = { call?: { callid: string }; error?: { code: string; retryable?: boolean } };
const start = (socket: TestSocket, sessionid: string) => emitAck(socket, 'call:start', { sessionid, kind: 'voice' }) as Promise<Answer>;
const codes = (answers: Answer[]) => answers.map((a) => a.error?.code ?? 'ok').sort();

test('one user: a burst of call:start gets CALLS_PER_USER calls, others still call, an ended call frees its place, then rate_limited', { timeout: 60_000 }, async () => {
  const [alice, bob] = await Promise.all([registerUser(server.url, 'Alice'), registerUser(server.url, 'Bob')]);
  const groups = await Promise.all([1, 2, 3, 4, 5].map((n) => createGroup(server.url, alice, `Alice's group ${n}`)));
  const bobGroup = await createGroup(server.url, bob, "Bob's group");
  const [sa, sb] = await Promise.all([connect(alice), connect(bob)]);

  // Five at once, in five conversations: two calls, three refusals (retryable later), nothing else created.
  const burst = await Promise.all(groups.map((g) => start(sa, g.sessionid)));
  assert.deepEqual(codes(burst), ['ok', 'ok', 'too_many_calls', 'too_many_calls', 'too_many_calls']);
  assert.ok(burst.filter((a) => a.error).every((a) => a.error!.retryable === true));
  const mine = (await debugInfo(sa))[0]!.calls;
  assert.equal(mine.length, 2, 'two calls exist');
  const refused = groups.filter((_, i) => burst[i]!.error);
  for (const g of refused) {
    const messages = await history(server.url, alice, g.sessionid);
    assert.ok(!messages.some((m) => m.msgtype === 5), 'a refused start posts no call message');
  }

  // Another user is not held back by Alice's calls.
  const bobs = await start(sb, bobGroup.sessionid);
  assert.ok(bobs.call, `Bob starts a call: ${JSON.stringify(bobs)}`);

  // Joining a call someone else started needs no place of one's own.
  await joinGroup(server.url, alice, bobGroup.sessionid);
  const sa2 = await connect(alice);
  assert.equal((await start(sa2, bobGroup.sessionid)).call?.callid, bobs.call!.callid);

  // Alice hangs up one of her calls (joins, then leaves: it ends): its place is free again.
  const first = burst.find((a) => a.call)!.call!.callid;
  await request(sa, 'call:join', { callid: first });
  await request(sa, 'call:leave', { callid: first });
  const again = await start(sa, refused[0]!.sessionid);
  assert.ok(again.call, `a place freed by an ended call is taken again: ${JSON.stringify(again)}`);

  // Eight starts a minute: Alice has used seven; a burst of five more is mostly rate_limited.
  const flood = await Promise.all(refused.slice(1).concat(refused.slice(1), refused.slice(1)).slice(0, 5).map((g) => start(sa, g.sessionid)));
  const limited = flood.filter((a) => a.error?.code === 'rate_limited');
  assert.ok(limited.length >= 3, `beyond the rate: ${JSON.stringify(codes(flood))}`);
  assert.ok(limited.every((a) => a.error!.retryable === true), 'rate_limited is retryable');
  assert.equal((await debugInfo(sa))[0]!.calls.filter((c) => groups.some((g) => g.sessionid === c.sessionid)).length, 2, 'still two calls of Alice');
});

/** Plain RTP parameters of a VP8 video track with `n` simulcast encodings. */
function videoRtp(n: number): Record<string, unknown> {
  return {
    mid: '0',
    codecs: [{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000, parameters: {}, rtcpFeedback: [] }],
    headerExtensions: [],
    encodings: Array.from({ length: n }, (_, i) => ({ rid: `r${i}`, maxBitrate: 100_000 * (i + 1) })),
    rtcp: { cname: 'limits-test', reducedSize: true },
  };
}

const fingerprint = (i: number) => ({
  algorithm: 'sha-256',
  value: Array.from({ length: 32 }, (_, j) => ((i + j) % 256).toString(16).padStart(2, '0').toUpperCase()).join(':'),
});

test('call:produce with 1000 simulcast encodings and transport:connect with 400 fingerprints are invalid_input; nothing is created', { timeout: 30_000 }, async () => {
  const carol = await registerUser(server.url, 'Carol');
  const group = await createGroup(server.url, carol, 'Payloads');
  const socket = await connect(carol);
  const { call } = await request(socket, 'call:start', { sessionid: group.sessionid, kind: 'video' });
  await request(socket, 'call:join', { callid: call.callid });
  const send = await request(socket, 'call:transport:create', { callid: call.callid, direction: 'send' });
  const producers = async () => (await debugInfo(socket))[0]!.calls.find((c) => c.callid === call.callid)!.producers;

  const produce = (n: number) => request(socket, 'call:produce', { callid: call.callid, transportId: send.transportId, kind: 'video', rtpParameters: videoRtp(n), source: 'camera' });
  await assert.rejects(produce(1000), (err: AckError) => err.code === 'invalid_input');
  await assert.rejects(produce(5), (err: AckError) => err.code === 'invalid_input', 'simulcast sends 3 encodings; 4 at most');
  assert.equal(await producers(), 0, 'no producer was created');
  // The same parameters with three encodings (simulcast) are taken.
  assert.ok((await produce(3)).producerId);
  assert.equal(await producers(), 1);

  const connectWith = (n: number) =>
    request(socket, 'call:transport:connect', { callid: call.callid, transportId: send.transportId, dtlsParameters: { role: 'client', fingerprints: Array.from({ length: n }, (_, i) => fingerprint(i)) } });
  await assert.rejects(connectWith(400), (err: AckError) => err.code === 'invalid_input');
  // Refused at the edge: the transport was not connected, so a normal connect still works (mediasoup connects a transport once).
  assert.deepEqual(await connectWith(1), { ok: true });

  // Other lists and strings are bounded too.
  const huge = { ...videoRtp(1), codecs: Array.from({ length: 500 }, (_, i) => ({ mimeType: 'video/VP8', payloadType: i % 128, clockRate: 90000 })) };
  await assert.rejects(
    request(socket, 'call:produce', { callid: call.callid, transportId: send.transportId, kind: 'video', rtpParameters: huge, source: 'screen' }),
    (err: AckError) => err.code === 'invalid_input',
  );
  await assert.rejects(
    request(socket, 'call:consume', { callid: call.callid, producerId: 'x', rtpCapabilities: { headerExtensions: Array.from({ length: 100 }, (_, i) => ({ uri: `urn:x:${i}`, kind: 'video' })) } }),
    (err: AckError) => err.code === 'invalid_input',
  );
  assert.equal(await producers(), 1);
});
