// The loudest-speaker audio choice across nodes (S28, issue 15 point 2): past CALL_AUDIO_ALL_UP_TO
// participants audio flows only from the CALL_AUDIO_LOUDEST most recent speakers, on the owner's
// node and on the leg of the call on the other node alike. The owner's one active speaker observer
// hears everyone (remote voices piped in) and tells the legs its choice whenever it changes; a leg
// opened after the last change asks for it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CallDebugConsumer } from '../../signaling/calls/CallTypes';
import { AckError, connectWithWelcome, createGroup, joinGroup, registerUser, request, type TestSocket } from '../support/client';
import { CallPeer, debugInfo, twoNodesForFile } from '../support/calls';
import { sleep, waitFor } from '../support/wait';

// 2 participants hear each other; more: audio from the most recent speaker only
const nodes = twoNodesForFile('call-speakers-nodes', { CALL_AUDIO_ALL_UP_TO: '2', CALL_AUDIO_LOUDEST: '1', CALL_ON_SCREEN: '5' });
const open = nodes.open;

interface CallStates {
  owner: CallDebugConsumer[];
  leg: CallDebugConsumer[];
}

/** The consumers of the call on the owner's node and on the leg of node 2. */
async function statesOf(socket: TestSocket, callid: string): Promise<CallStates> {
  const processes = await debugInfo(socket);
  return {
    owner: processes.flatMap((p) => p.calls).find((c) => c.callid === callid)?.consumerStates ?? [],
    leg: processes.flatMap((p) => p.legs).find((l) => l.callid === callid)?.consumerStates ?? [],
  };
}

/** Whose audio flows at the owner (every sender is consumed there by at least two peers). */
function heardAtOwner(states: CallStates): string[] {
  return [...new Set(states.owner.filter((c) => c.kind === 'audio' && !c.paused).map((c) => c.from))];
}

/** The leg's consumers follow `heard`: audio paused unless its sender is heard, video never paused. */
function legFollows(states: CallStates, heard: string[]): boolean {
  return states.leg.every((c) => c.paused === (c.kind === 'audio' && !heard.includes(c.from)));
}

/** Packets of `key` at `peer` keep growing (true) or stay put (false) over a second. */
async function flowing(peer: CallPeer, key: string): Promise<boolean> {
  const before = (await peer.received())[key] ?? 0;
  await sleep(1200);
  const after = (await peer.received())[key] ?? 0;
  return after > before;
}

test('past CALL_AUDIO_ALL_UP_TO the leg on the other node hears only the owner’s chosen speaker, and follows its changes', { timeout: 240_000 }, async () => {
  const [n1, n2] = [nodes.node1!.url, nodes.node2!.url];
  const [a, d, e] = await Promise.all(['Ann', 'Dan', 'Eve'].map((n) => registerUser(n1, n)));
  const [b, c] = await Promise.all(['Ben', 'Cat'].map((n) => registerUser(n2, n)));
  const group = await createGroup(n1, a!, 'Speakers across nodes');
  for (const u of [d!, e!]) await joinGroup(n1, u, group.sessionid);
  for (const u of [b!, c!]) await joinGroup(n2, u, group.sessionid);
  const welcomes = await Promise.all([
    ...[a!, d!, e!].map((u) => connectWithWelcome(n1, u.token)),
    ...[b!, c!].map((u) => connectWithWelcome(n2, u.token)),
  ]);
  open.push(...welcomes.map((w) => w.socket));
  assert.notEqual(welcomes[0]!.node, welcomes[3]!.node, 'Ben and Cat are served by the other node');
  const users = [a!, d!, e!, b!, c!];
  const peers = users.map((u, i) => new CallPeer(['A', 'D', 'E', 'B', 'C'][i]!, u.uid, welcomes[i]!.socket));
  open.push(...peers);
  const [ann, dan, eve, ben, cat] = peers as [CallPeer, CallPeer, CallPeer, CallPeer, CallPeer];
  const probe = ben.socket;
  const { call } = await request(ann.socket, 'call:start', { sessionid: group.sessionid, kind: 'video' });
  const callid: string = call.callid;

  // Three on the owner's node: past the size, one speaker's audio flows there.
  for (const p of [ann, dan, eve]) await p.join(callid);
  await waitFor('three peers hear one speaker', async () => {
    const states = await statesOf(ann.socket, callid);
    return states.owner.length === 12 && heardAtOwner(states).length === 1 ? true : undefined;
  }, 30_000);

  // Ben makes four: node 2 opens its leg after the owner chose (nothing new to tell it unless the
  // speaker changes), so it asks; only the speaker's audio flows to Ben, as on the owner's node.
  await ben.join(callid);
  let speaker = await waitFor('the leg follows the owner’s speaker', async () => {
    const states = await statesOf(probe, callid);
    const heard = heardAtOwner(states);
    return states.owner.length === 18 && states.leg.length === 6 && heard.length === 1 && legFollows(states, heard) ? heard[0] : undefined;
  }, 30_000);

  // Cat joins the leg that exists: five, and still one speaker's audio on both nodes.
  await cat.join(callid);
  speaker = await waitFor('five peers, one speaker heard on both nodes', async () => {
    const states = await statesOf(probe, callid);
    const heard = heardAtOwner(states);
    return states.owner.length === 24 && states.leg.length === 16 && heard.length === 1 && legFollows(states, heard) ? heard[0] : undefined;
  }, 30_000);
  const listener = speaker === ben.uid ? cat : ben;
  const quiet = peers.find((p) => p.uid !== speaker && p !== listener)!;
  const talker = peers.find((p) => p.uid === speaker)!;
  assert.equal(await flowing(listener, `${speaker}:audio`), true, `${listener.name} hears ${talker.name}`);
  assert.equal(await flowing(listener, `${quiet.uid}:audio`), false, `${listener.name} does not hear ${quiet.name}`);
  assert.equal(await flowing(listener, `${quiet.uid}:video`), true, 'video is not limited by the audio choice');

  // Refusals and bad input on the leg change nothing; a client cannot resume a voice the server mutes.
  const before = await statesOf(probe, callid);
  const muted = listener.media.remoteMedia().find((m) => m.uid === quiet.uid && m.kind === 'audio')!;
  assert.ok(muted, `${listener.name} has a consumer of ${quiet.name}’s voice`);
  assert.deepEqual(await request(listener.socket, 'call:consumer:resume', { callid, consumerId: muted.consumerId }), { ok: true });
  await assert.rejects(request(listener.socket, 'call:consumer:resume', { callid, consumerId: 'nope' }), (x: AckError) => x.code === 'not_found');
  await assert.rejects(request(listener.socket, 'call:consumer:pause', { callid, consumerId: '' }), (x: AckError) => x.code === 'invalid_input');
  await assert.rejects(request(listener.socket, 'call:consumer:resume', { callid }), (x: AckError) => x.code === 'invalid_input');
  const other = listener === ben ? cat : ben;
  const notMine = other.media.remoteMedia().find((m) => m.kind === 'video')!;
  await assert.rejects(request(listener.socket, 'call:consumer:pause', { callid, consumerId: notMine.consumerId }), (x: AckError) => x.code === 'not_found');
  const [outsider, member] = await Promise.all([registerUser(n2, 'Out'), registerUser(n2, 'Mem')]);
  await joinGroup(n2, member, group.sessionid);
  for (const user of [outsider, member]) {
    const { socket } = await connectWithWelcome(n2, user.token);
    open.push(socket);
    await assert.rejects(request(socket, 'call:consumer:pause', { callid, consumerId: notMine.consumerId }), (x: AckError) => x.code === 'not_member');
    await assert.rejects(request(socket, 'call:consumer:resume', { callid, consumerId: muted.consumerId }), (x: AckError) => x.code === 'not_member');
  }
  const pausedOnLeg = (s: CallStates) => s.leg.filter((x) => x.paused).map((x) => x.consumerId).sort();
  assert.deepEqual(pausedOnLeg(await statesOf(probe, callid)), pausedOnLeg(before), 'the refused requests changed nothing on the leg');
  assert.equal(await flowing(listener, `${quiet.uid}:audio`), false, 'the resumed voice stays muted by the server');

  // The speaker leaves: four, still past the size; the owner's next speaker is the one the leg hears.
  await talker.leave();
  const inCall = peers.filter((p) => p !== talker);
  const next = await waitFor('the leg follows the owner’s next speaker', async () => {
    const states = await statesOf(probe, callid);
    const heard = heardAtOwner(states);
    const legPeers = inCall.filter((p) => p === ben || p === cat).length;
    const sizes = states.owner.length === (4 - legPeers) * 6 && states.leg.length === legPeers * 6;
    return sizes && heard.length === 1 && heard[0] !== speaker && legFollows(states, heard) ? heard[0] : undefined;
  }, 30_000);
  const nextListener = inCall.find((p) => (p === ben || p === cat) && p.uid !== next)!;
  assert.equal(await flowing(nextListener, `${next}:audio`), true, `${nextListener.name} hears the next speaker`);

  // Two more leave (one stays on each node): two, and the leg lets every voice through again.
  const onLeg = inCall.find((p) => p === ben || p === cat)!;
  const onOwner = inCall.find((p) => p !== ben && p !== cat)!;
  for (const p of inCall.filter((x) => x !== onLeg && x !== onOwner)) await p.leave();
  await waitFor('two: every voice flows on both nodes', async () => {
    const states = await statesOf(probe, callid);
    return states.owner.length === 2 && states.leg.length === 2 && [...states.owner, ...states.leg].every((x) => !x.paused) ? true : undefined;
  }, 30_000);
  assert.equal(await flowing(onLeg, `${onOwner.uid}:audio`), true, `${onLeg.name} hears ${onOwner.name} again`);
  assert.equal(await flowing(onOwner, `${onLeg.uid}:audio`), true, `${onOwner.name} hears ${onLeg.name} again`);
  for (const p of [onLeg, onOwner]) await p.leave();
});
