/**
 * On-screen subscriptions (S28, issue 15 point 2): a client pauses the consumers of hidden tiles on
 * the server (call:consumer:pause) and resumes them when shown; past CALL_AUDIO_ALL_UP_TO
 * participants, audio flows only from the CALL_AUDIO_LOUDEST most recent speakers.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { CallDebugConsumer } from '../../signaling/calls/CallTypes';
import { AckError, connectSocket, createGroup, joinGroup, registerUser, request, type TestSocket } from '../support/client';
import { CallPeer, debugInfo, startCallServer } from '../support/calls';
import { closeAll, prepareMediasoup } from '../support/media';
import type { RunningServer } from '../support/server';
import { sleep, waitFor } from '../support/wait';

let server: RunningServer;
const open: { close(): void }[] = [];

before(
  async () => {
    await prepareMediasoup();
    // 3 participants hear everyone; a 4th makes the call large: audio from the most recent speaker only
    server = await startCallServer(1, { CALL_AUDIO_ALL_UP_TO: '3', CALL_AUDIO_LOUDEST: '1', CALL_ON_SCREEN: '4' });
  },
  { timeout: 15 * 60_000 },
);
after(async () => {
  await closeAll(open);
  await server?.stop();
});

async function connect(token: string): Promise<TestSocket> {
  const socket = await connectSocket(server.url, token);
  open.push(socket);
  return socket;
}

async function consumersOf(socket: TestSocket, callid: string): Promise<CallDebugConsumer[]> {
  const call = (await debugInfo(socket)).flatMap((p) => p.calls).find((c) => c.callid === callid);
  return call?.consumerStates ?? [];
}

/** A group call of `names`, every peer joined and receiving every other one. */
async function groupCall(names: string[]) {
  const users = await Promise.all(names.map((n) => registerUser(server.url, n)));
  const group = await createGroup(server.url, users[0]!, `${names[0]}'s group`);
  for (const u of users.slice(1)) await joinGroup(server.url, u, group.sessionid);
  const sockets = await Promise.all(users.map((u) => connect(u.token)));
  const { call } = await request(sockets[0]!, 'call:start', { sessionid: group.sessionid, kind: 'video' });
  const peers = users.map((u, i) => new CallPeer(names[i]!, u.uid, sockets[i]!));
  open.push(...peers);
  const joins = [];
  for (const p of peers) joins.push(await p.join(call.callid));
  return { users, group, sockets, peers, callid: call.callid as string, joins };
}

/** Packets of `key` at `peer` keep growing (true) or stay put (false) over a second. */
async function flowing(peer: CallPeer, key: string): Promise<boolean> {
  const before = (await peer.received())[key] ?? 0;
  await sleep(1200);
  const after = (await peer.received())[key] ?? 0;
  return after > before;
}

test('a hidden tile’s consumer is paused on the server and flows again when shown', { timeout: 120_000 }, async () => {
  const { sockets, peers, callid, joins, group } = await groupCall(['Ann', 'Ben']);
  const [ann, ben] = peers as [CallPeer, CallPeer];
  assert.deepEqual(joins[0]!.screen, { onScreen: 4, audioAllUpTo: 3, audioLoudest: 1 });
  await waitFor('Ben receives Ann', async () => {
    const got = await ben.received();
    return (got[`${ann.uid}:video`] ?? 0) > 20 && (got[`${ann.uid}:audio`] ?? 0) > 20 ? got : undefined;
  });
  const video = ben.media.remoteMedia().find((m) => m.uid === ann.uid && m.kind === 'video')!;
  assert.ok(video, 'Ben has a consumer of Ann’s camera');
  let states = await consumersOf(sockets[1]!, callid);
  assert.equal(states.find((c) => c.consumerId === video.consumerId)?.paused, false);

  // Ben scrolls Ann's tile away: the consumer pauses on the server, her video stops, her audio goes on.
  assert.deepEqual(await request(sockets[1]!, 'call:consumer:pause', { callid, consumerId: video.consumerId }), { ok: true });
  states = await consumersOf(sockets[1]!, callid);
  assert.equal(states.find((c) => c.consumerId === video.consumerId)?.paused, true);
  assert.equal(states.filter((c) => c.paused).length, 1, 'only that consumer is paused');
  await sleep(500);
  assert.equal(await flowing(ben, `${ann.uid}:video`), false, 'no video packets while paused');
  assert.equal(await flowing(ben, `${ann.uid}:audio`), true, 'audio still flows');

  // Refusals change nothing: an unknown consumer, someone else's consumer, a user outside the call.
  await assert.rejects(request(sockets[1]!, 'call:consumer:pause', { callid, consumerId: 'nope' }), (e: AckError) => e.code === 'not_found');
  await assert.rejects(request(sockets[1]!, 'call:consumer:resume', { callid, consumerId: 'nope' }), (e: AckError) => e.code === 'not_found');
  await assert.rejects(request(sockets[1]!, 'call:consumer:pause', { callid, consumerId: '' }), (e: AckError) => e.code === 'invalid_input');
  const annVideoAtAnn = ann.media.remoteMedia().find((m) => m.uid === ben.uid && m.kind === 'video')!;
  await assert.rejects(request(sockets[1]!, 'call:consumer:pause', { callid, consumerId: annVideoAtAnn.consumerId }), (e: AckError) => e.code === 'not_found');
  const [outsider, member] = await Promise.all([registerUser(server.url, 'Out'), registerUser(server.url, 'Mem')]);
  await joinGroup(server.url, member, group.sessionid);
  for (const user of [outsider, member]) {
    const socket = await connect(user.token);
    await assert.rejects(request(socket, 'call:consumer:pause', { callid, consumerId: annVideoAtAnn.consumerId }), (e: AckError) => e.code === 'not_member');
  }
  states = await consumersOf(sockets[1]!, callid);
  assert.deepEqual(
    states.filter((c) => c.paused).map((c) => c.consumerId),
    [video.consumerId],
    'the refused requests paused nothing',
  );

  // Scrolled back into view: it flows again.
  await request(sockets[1]!, 'call:consumer:resume', { callid, consumerId: video.consumerId });
  states = await consumersOf(sockets[1]!, callid);
  assert.equal(states.find((c) => c.consumerId === video.consumerId)?.paused, false);
  await waitFor('Ann’s video flows again at Ben', async () => ((await flowing(ben, `${ann.uid}:video`)) ? true : undefined));
  for (const p of peers) await p.leave();
});

test('past CALL_AUDIO_ALL_UP_TO, audio flows only from the most recent speaker', { timeout: 150_000 }, async () => {
  const names = ['Cat', 'Dan', 'Eve', 'Fay'];
  const users = await Promise.all(names.map((n) => registerUser(server.url, n)));
  const group = await createGroup(server.url, users[0]!, 'Big group');
  for (const u of users.slice(1)) await joinGroup(server.url, u, group.sessionid);
  const sockets = await Promise.all(users.map((u) => connect(u.token)));
  const { call } = await request(sockets[0]!, 'call:start', { sessionid: group.sessionid, kind: 'video' });
  const callid: string = call.callid;
  const peers = users.map((u, i) => new CallPeer(names[i]!, u.uid, sockets[i]!));
  open.push(...peers);

  // Three: everyone's audio flows (nobody's audio consumer paused once everything is wired).
  for (const p of peers.slice(0, 3)) await p.join(callid);
  await waitFor('three peers hear each other', async () => {
    const states = await consumersOf(sockets[0]!, callid);
    return states.length === 12 && states.every((c) => !c.paused) ? true : undefined;
  });

  // A fourth: audio consumers pause except those of the most recent speaker.
  await peers[3]!.join(callid);
  const loud = await waitFor('audio only from one speaker', async () => {
    const states = await consumersOf(sockets[0]!, callid);
    if (states.length !== 24) return undefined;
    const audio = states.filter((c) => c.kind === 'audio');
    const on = new Set(audio.filter((c) => !c.paused).map((c) => c.from));
    const video = states.filter((c) => c.kind === 'video');
    return on.size === 1 && video.every((c) => !c.paused) && audio.filter((c) => !c.paused).length === 3 ? [...on][0] : undefined;
  }, 30_000);
  const speaker = peers.find((p) => p.uid === loud)!;
  const listener = peers.find((p) => p !== speaker)!;
  const quiet = peers.find((p) => p !== speaker && p !== listener)!;
  assert.equal(await flowing(listener, `${speaker.uid}:audio`), true, 'the speaker is heard');
  assert.equal(await flowing(listener, `${quiet.uid}:audio`), false, 'the others are not');
  assert.equal(await flowing(listener, `${quiet.uid}:video`), true, 'video is not limited by the audio choice');

  // The recent speaker is the one announced (call:speakers) to a newcomer too.
  const rejoined = await request(sockets[3]!, 'call:join', { callid });
  assert.deepEqual(rejoined.speakers, [speaker.uid]);
  await peers[3]!.media.connect(rejoined);

  // Back to three: everyone's audio again.
  await quiet.leave();
  await waitFor('three peers hear each other again', async () => {
    const states = await consumersOf(sockets[0]!, callid);
    return states.length === 12 && states.every((c) => !c.paused) ? true : undefined;
  }, 20_000);
});
