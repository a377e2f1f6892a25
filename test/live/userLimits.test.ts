/**
 * Live stream places per user, over real Socket.IO against a two-process server: one user's four
 * connections doing `live:create` at once get one stream (the rest `already_live`), so they cannot
 * hold every LIVE_MAX_STREAMS place of the processes, and another user still creates a stream; a
 * stopped or abandoned stream frees its place. live:produce with 1000 simulcast encodings and
 * live:transport:connect with 400 DTLS fingerprints are invalid_input.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { connectWithWelcome, createGroup, emitAck, type TestSocket, type TestUser, AckError, request, registerUser } from '../support/client';
import type { RunningServer } from '../support/server';
import { closeAll, prepareMediasoup } from '../support/media';
import { startCallServer } from '../support/calls';
import { waitFor } from '../support/wait';

let server: RunningServer;
const open: { close(): void }[] = [];
let alice: TestUser;
let bob: TestUser;
let aliceGroup: string;
let bobGroup: string;

before(
  async () => {
    await prepareMediasoup();
    server = await startCallServer(2, { MEDIA_WORKERS: '1', LIVE_MAX_STREAMS: '2', LIVE_RENDITIONS: '180:200' });
    [alice, bob] = await Promise.all([registerUser(server.url, 'Alice'), registerUser(server.url, 'Bob')]);
    aliceGroup = (await createGroup(server.url, alice, 'Alice streams')).sessionid;
    bobGroup = (await createGroup(server.url, bob, 'Bob streams')).sessionid;
  },
  { timeout: 15 * 60_000 },
);
after(async () => {
  await closeAll(open);
  await server?.stop();
});

async function socketOf(user: TestUser): Promise<TestSocket> {
  const { socket } = await connectWithWelcome(server.url, user.token);
  open.push(socket);
  return socket;
}

type Created = { stream?: { streamid: string }; transport?: { transportId: string }; error?: { code: string } };
const create = (socket: TestSocket, sessionid: string, title = 'Mine') => emitAck(socket, 'live:create', { title, sessionid }) as Promise<Created>;

test("one user's four connections get one stream; another user still gets one; a stopped or abandoned stream frees its place", { timeout: 60_000 }, async () => {
  const sockets = await Promise.all([1, 2, 3, 4].map(() => socketOf(alice)));
  const answers = await Promise.all(sockets.map((s, i) => create(s, aliceGroup, `Grab ${i}`)));
  const made = answers.filter((a) => a.stream);
  assert.equal(made.length, 1, `one stream for Alice: ${JSON.stringify(answers.map((a) => a.error?.code ?? 'ok'))}`);
  assert.deepEqual(answers.filter((a) => a.error).map((a) => a.error!.code), ['already_live', 'already_live', 'already_live']);

  // Bob is not held back by Alice's connections.
  const bobSocket = await socketOf(bob);
  const bobs = await create(bobSocket, bobGroup, "Bob's show");
  assert.ok(bobs.stream, `Bob creates a stream: ${JSON.stringify(bobs)}`);

  // Asking again from another connection while the first is not started: still refused.
  const holder = sockets[answers.findIndex((a) => a.stream)]!;
  const other = sockets.find((s) => s !== holder)!;
  await assert.rejects(request(other, 'live:create', { title: 'Again', sessionid: aliceGroup }), (err: AckError) => err.code === 'already_live');

  // Stopped: the place is free at once.
  await request(holder, 'live:stop', { streamid: made[0]!.stream!.streamid });
  const second = await create(other, aliceGroup, 'Second');
  assert.ok(second.stream, `after stopping, another stream: ${JSON.stringify(second)}`);

  // Abandoned (its connection closes before starting): the place is freed too.
  other.disconnect();
  const third = await waitFor('the abandoned stream to free its place', async () => {
    const a = await create(holder, aliceGroup, 'Third');
    return a.stream ? a : a.error?.code === 'already_live' ? false : assert.fail(JSON.stringify(a));
  }, 15_000, 300);
  await request(holder, 'live:stop', { streamid: third.stream!.streamid });
  await request(bobSocket, 'live:stop', { streamid: bobs.stream!.streamid });
});

test('live:produce with 1000 simulcast encodings and live:transport:connect with 400 fingerprints are invalid_input', { timeout: 30_000 }, async () => {
  const socket = await socketOf(alice);
  const created = await request(socket, 'live:create', { title: 'Payloads', sessionid: aliceGroup });
  const { streamid } = created.stream;
  const transportId = created.transport.transportId;
  const rtpParameters = {
    mid: '0',
    codecs: [{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000, parameters: {}, rtcpFeedback: [] }],
    headerExtensions: [],
    encodings: Array.from({ length: 1000 }, (_, i) => ({ rid: `r${i}` })),
    rtcp: { cname: 'x' },
  };
  await assert.rejects(request(socket, 'live:produce', { streamid, transportId, kind: 'video', rtpParameters, source: 'camera' }), (err: AckError) => err.code === 'invalid_input');
  const fingerprints = Array.from({ length: 400 }, () => ({ algorithm: 'sha-256', value: 'AB:'.repeat(31) + 'AB' }));
  await assert.rejects(
    request(socket, 'live:transport:connect', { streamid, transportId, dtlsParameters: { role: 'client', fingerprints } }),
    (err: AckError) => err.code === 'invalid_input',
  );
  // Nothing was produced: the stream still has no video track to go live with.
  await assert.rejects(request(socket, 'live:start', { streamid }), (err: AckError) => err.code === 'invalid_input' && /video track/.test(err.message));
  await request(socket, 'live:stop', { streamid });
});
