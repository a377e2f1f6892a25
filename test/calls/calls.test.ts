import assert from 'node:assert/strict';
import { test } from 'node:test';
import { collect, createGroup, http, registerUser, AckError, request, history, joinGroup } from '../support/client';
import { CallPeer, debugInfo } from '../support/calls';
import { callServerForFile } from '../support/callServerFile';
import { sleep, waitFor } from '../support/wait';

const suite = callServerForFile({ CALL_RING_TIMEOUT: '3' });
const { open, connect } = suite;

/** Every peer receives audio and video from every other one, and the counts keep rising. */
async function assertEveryoneReceives(peers: CallPeer[], except: (from: CallPeer, to: CallPeer, kind: string) => boolean = () => false) {
  const keys = (to: CallPeer) =>
    peers.filter((p) => p !== to).flatMap((from) => ['audio', 'video'].filter((k) => !except(from, to, k)).map((k) => `${from.uid}:${k}`));
  const first = await waitFor('media from every peer at every peer', async () => {
    const all = await Promise.all(peers.map((p) => p.received()));
    return all.every((got, i) => keys(peers[i]).every((k) => (got[k] ?? 0) > 20)) ? all : undefined;
  });
  await sleep(1000);
  const second = await Promise.all(peers.map((p) => p.received()));
  peers.forEach((p, i) => {
    for (const k of keys(p)) assert.ok(second[i][k] > first[i][k], `${p.name} still receives ${k}: ${first[i][k]} -> ${second[i][k]}`);
  });
}

test('three WebRTC peers in a video call: media both ways, mute, leave, refusals, call messages', { timeout: 110_000 }, async () => {
  const url = suite.server.url;
  const [a, b, c, outsider] = await Promise.all(['Alice', 'Bob', 'Carol', 'Mallory'].map((n) => registerUser(url, n)));
  const group = await createGroup(url, a, 'Call group');
  await joinGroup(url, b, group.sessionid);
  await joinGroup(url, c, group.sessionid);
  const [sa, sb, sc, so] = await Promise.all([a, b, c, outsider].map((u) => connect(u.token)));

  const ringB = collect(sb, 'call:ring', 1);
  const ringC = collect(sc, 'call:ring', 1);
  const started = collect(sb, 'message', 1, (m) => m.msgtype === 6);
  const { call } = await request(sa, 'call:start', { sessionid: group.sessionid, kind: 'video' });
  assert.equal(call.kind, 'video');
  assert.equal(call.state, 'ringing');
  assert.equal((await ringB)[0].call.callid, call.callid);
  assert.equal((await ringC)[0].from.uid, a.uid);
  assert.equal((await started)[0].msg, 'started a video call');
  // A second start in the same conversation answers the same call.
  assert.equal((await request(sb, 'call:start', { sessionid: group.sessionid, kind: 'voice' })).call.callid, call.callid);
  const listed = await request(sc, 'call:list', {});
  assert.deepEqual(listed.calls.map((x: any) => x.callid), [call.callid]);

  const peers = [new CallPeer('A', a.uid, sa), new CallPeer('B', b.uid, sb), new CallPeer('C', c.uid, sc)];
  open.push(...peers);
  for (const p of peers) await p.join(call.callid);
  await assertEveryoneReceives(peers);
  let info = (await debugInfo(sa))[0].calls.find((x) => x.callid === call.callid)!;
  assert.equal(info.producers, 6);
  // Each of three peers consumes the other two peers' audio and video.
  assert.equal(info.consumers, 12);

  // Mute: A's microphone producer pauses; B and C stop receiving A's audio, the rest flows on.
  const pausedAtB = collect(sb, 'call:producer:paused', 1);
  await peers[0].pause('mic');
  assert.equal((await pausedAtB)[0].uid, a.uid);
  await sleep(700);
  const before = await Promise.all(peers.map((p) => p.received()));
  await sleep(1500);
  const afterMute = await Promise.all(peers.map((p) => p.received()));
  for (const i of [1, 2]) {
    assert.ok(afterMute[i][`${a.uid}:audio`] - before[i][`${a.uid}:audio`] <= 2, `${peers[i].name} no longer receives A's audio`);
    assert.ok(afterMute[i][`${a.uid}:video`] > before[i][`${a.uid}:video`], `${peers[i].name} still receives A's video`);
  }
  assert.ok(afterMute[1][`${c.uid}:audio`] > before[1][`${c.uid}:audio`] + 20, "B still receives C's audio");
  assert.ok(afterMute[2][`${b.uid}:audio`] > before[2][`${b.uid}:audio`] + 20, "C still receives B's audio");
  await peers[0].resume('mic');
  await waitFor("A's audio again", async () => {
    const now = await peers[1].received();
    return now[`${a.uid}:audio`] > afterMute[1][`${a.uid}:audio`] + 20;
  });

  // A non-member is refused at join and at every negotiation request.
  const refused = async (event: string, payload: unknown) => {
    await assert.rejects(request(so, event, payload), (err: AckError) => err.code === 'not_member', event);
  };
  const callid = call.callid;
  const someProducer = peers[0].media.producerId('mic')!;
  const someTransport = peers[0].media.transportId('send')!;
  const someConsumer = peers[0].media.remoteMedia()[0].consumerId;
  await refused('call:join', { callid });
  await refused('call:start', { sessionid: group.sessionid, kind: 'video' });
  await refused('call:transport:create', { callid, direction: 'send' });
  await refused('call:transport:connect', { callid, transportId: someTransport, dtlsParameters: {} });
  await refused('call:transport:restartIce', { callid, transportId: someTransport });
  await refused('call:produce', { callid, transportId: someTransport, kind: 'audio', rtpParameters: {}, source: 'mic' });
  await refused('call:producer:pause', { callid, producerId: someProducer });
  await refused('call:producer:resume', { callid, producerId: someProducer });
  await refused('call:producer:close', { callid, producerId: someProducer });
  await refused('call:consume', { callid, producerId: someProducer, rtpCapabilities: {} });
  await refused('call:consumer:resume', { callid, consumerId: someConsumer });
  await refused('call:consumer:setLayers', { callid, consumerId: someConsumer, spatialLayer: 0 });
  // Bad payloads and unknown calls.
  await assert.rejects(request(sa, 'call:consume', { callid, producerId: 5 }), (err: AckError) => err.code === 'invalid_input');
  await assert.rejects(request(sa, 'call:join', { callid: 'no-such-call' }), (err: AckError) => err.code === 'call_not_found');
  // Requests from the participant's own user work: restart ICE, preferred layers.
  const ice = await request(sa, 'call:transport:restartIce', { callid, transportId: someTransport });
  assert.ok(ice.iceParameters.usernameFragment);
  assert.deepEqual(await request(sa, 'call:consumer:setLayers', { callid, consumerId: someConsumer, spatialLayer: 0 }), { ok: true });

  // C leaves: A and B get their consumers of C closed, and the server's consumer count drops.
  const cProducers = (['mic', 'camera'] as const).map((source) => peers[2].media.producerId(source)!).sort();
  const closedAtA = collect(sa, 'call:consumer:closed', 2);
  const closedAtB = collect(sb, 'call:consumer:closed', 2);
  const producerClosedAtA = collect(sa, 'call:producer:closed', 2);
  await peers[2].leave();
  await Promise.all([closedAtA, closedAtB]);
  assert.deepEqual((await producerClosedAtA).map((e) => e.producerId).sort(), cProducers);
  for (const p of peers.slice(0, 2)) assert.ok(!p.media.remoteMedia().some((e) => e.uid === c.uid), `${p.name} has no consumer of C left`);
  info = await waitFor('consumer count drops', async () => {
    const x = (await debugInfo(sa))[0].calls.find((y) => y.callid === callid)!;
    // A and B still consume each other's audio and video.
    return x.consumers === 4 ? x : undefined;
  });
  assert.equal(info.producers, 4);
  assert.deepEqual(info.participants.sort(), [a.uid, b.uid].sort());

  // The last two leave: the call ends and its duration is posted.
  const ended = collect(sc, 'call:ended', 1);
  const endedMessage = collect(sc, 'message', 1, (m) => m.msgtype === 6 && m.msg.startsWith('call ended'));
  await peers[0].leave();
  await peers[1].leave();
  const end = (await ended)[0];
  assert.equal(end.reason, 'all_left');
  assert.ok(end.durationMs > 1000);
  assert.match((await endedMessage)[0].msg, /^call ended, \d+:\d\d$/);
  const msgs = await history(url, a, group.sessionid);
  assert.deepEqual(
    msgs.filter((m) => m.msgtype === 6).map((m) => m.msg.replace(/\d+:\d\d$/, 'm:ss')),
    ['call ended, m:ss', 'started a video call'],
  );
  assert.deepEqual((await request(sa, 'call:list', {})).calls, []);
  const metrics = await (await fetch(`${url}/metrics`)).text();
  assert.match(metrics, /cookim_calls_active 0/);
});

test('a private call declined posts a declined-call message', { timeout: 30_000 }, async () => {
  const url = suite.server.url;
  const [a, b] = await Promise.all(['Caller', 'Callee'].map((n) => registerUser(url, n)));
  const res = await http(url, 'POST', '/api/sessions/private', { token: a.token, body: { uid: b.uid } });
  const sessionid = res.body.session.sessionid;
  const [sa, sb] = await Promise.all([connect(a.token), connect(b.token)]);
  const ring = collect(sb, 'call:ring', 1);
  const { call } = await request(sa, 'call:start', { sessionid, kind: 'voice' });
  await ring;
  const declined = collect(sa, 'call:declined', 1);
  const ended = collect(sa, 'call:ended', 1);
  const missed = collect(sa, 'message', 1, (m) => m.msgtype === 5 && m.msg === 'declined voice call');
  assert.deepEqual(await request(sb, 'call:decline', { callid: call.callid }), { ok: true });
  assert.equal((await declined)[0].uid, b.uid);
  assert.equal((await ended)[0].reason, 'declined');
  await missed;
  const msgs = await history(url, b, sessionid);
  assert.deepEqual(msgs.map((m) => [m.msgtype, m.msg]), [
    [5, 'declined voice call'],
    [5, 'started a voice call'],
  ]);
  await assert.rejects(request(sb, 'call:join', { callid: call.callid }), (err: AckError) => err.code === 'call_not_found');
});

test('a call nobody answers ends as unanswered (CALL_RING_TIMEOUT)', { timeout: 30_000 }, async () => {
  const url = suite.server.url;
  const [a, b] = await Promise.all(['Lonely', 'Away'].map((n) => registerUser(url, n)));
  const group = await createGroup(url, a, 'Quiet group');
  await joinGroup(url, b, group.sessionid);
  const sa = await connect(a.token);
  const peer = new CallPeer('A', a.uid, sa);
  open.push(peer);
  const ended = collect(sa, 'call:ended', 1, () => true, 15_000);
  const { call } = await request(sa, 'call:start', { sessionid: group.sessionid, kind: 'video' });
  await peer.join(call.callid);
  const end = (await ended)[0];
  assert.equal(end.reason, 'unanswered');
  assert.equal(end.durationMs, 0);
  const msgs = await history(url, b, group.sessionid);
  assert.equal(msgs[0].msg, 'missed video call');
  assert.equal(msgs[0].msgtype, 6);
});
