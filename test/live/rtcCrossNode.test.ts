/**
 * Real-time viewing (S27) of a stream another process runs: two nodes on one database and Redis.
 * Alice publishes on node 1; viewers connected to node 2 watch in real time all the same, their
 * requests forwarded to node 1, whose media worker sends them the stream. The per-stream limit
 * holds across nodes (a second viewer on node 2 is refused `webrtc_full`), a viewer's socket
 * leaving node 2 frees its place on node 1, and so does node 2 dying (node 1's sweep).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import wrtc from '@roamhq/wrtc';
import type { LiveStreamInfo } from '../../signaling/protocol/live';
import { LiveRtcViewer } from '../../web/src/lib/liveRtcViewer';
import { socketRequest } from '../../web/src/lib/socketRequest';
import { twoNodesForFile } from '../support/calls';
import { AckError, connectWithWelcome, http, registerUser, request, type TestSocket, type TestUser } from '../support/client';
import { LivePeer } from '../support/live';
import { NODE_HANDLER } from '../support/media';
import { waitFor } from '../support/wait';

const nodes = twoNodesForFile('live-rtc-nodes', { LIVE_RENDITIONS: '240:300', LIVE_WEBRTC_VIEWERS: '1', LIVE_LLHLS: '0' });
const open = nodes.open;

async function socketOn(url: string, user: TestUser): Promise<{ socket: TestSocket; node: string }> {
  const connected = await connectWithWelcome(url, user.token);
  open.push(connected.socket);
  return connected;
}

function viewerOn(socket: TestSocket, streamid: string): LiveRtcViewer {
  const viewer = new LiveRtcViewer((event, payload) => socketRequest(socket, event, payload), streamid, { handlerName: NODE_HANDLER });
  open.push(viewer);
  return viewer;
}

async function frames(media: MediaStream, atLeast: number): Promise<number> {
  const sink = new wrtc.nonstandard.RTCVideoSink(media.getVideoTracks()[0]!);
  let count = 0;
  sink.onframe = () => count++;
  try {
    await waitFor(`${atLeast} video frames`, () => count >= atLeast, 15_000);
    return count;
  } finally {
    sink.stop();
  }
}

async function webrtcFlag(url: string, user: TestUser, streamid: string): Promise<boolean | undefined> {
  const { body } = await http<{ stream: LiveStreamInfo }>(url, 'GET', `/api/live/${streamid}`, { token: user.token });
  return body.stream?.webrtc;
}

test('viewers on node 2 watch node 1’s stream in real time; the limit and the places hold across nodes', { timeout: 120_000 }, async () => {
  const [n1, n2] = [nodes.node1!.url, nodes.node2!.url];
  const [alice, bob, carol] = await Promise.all([registerUser(n1, 'Alice'), registerUser(n2, 'Bob'), registerUser(n2, 'Carol')]);
  const pub = await socketOn(n1, alice);
  const publisher = new LivePeer(pub.socket);
  open.push(publisher);
  await publisher.create({ title: 'Real time across nodes', visibility: 'public' });
  const { streamid } = await publisher.start();

  const bobSide = await socketOn(n2, bob);
  assert.notEqual(bobSide.node, pub.node, 'the viewer is on the other node');
  const bobView = viewerOn(bobSide.socket, streamid);
  const media = await bobView.start();
  assert.equal(media.getAudioTracks().length, 1);
  const got = await frames(media, 10);
  const delay = await waitFor('a delay estimate', async () => (await bobView.delay()) ?? undefined, 10_000);
  assert.ok(delay > 0 && delay < 1, `delay ${delay} s`);
  process.stderr.write(`real-time viewing across nodes: ${got} frames, estimated delay ${(delay * 1000).toFixed(0)} ms\n`);

  // one place per stream, counted where the stream runs: taken, whichever node asks
  await waitFor('webrtc: false on both nodes', async () => (await webrtcFlag(n1, carol, streamid)) === false && (await webrtcFlag(n2, carol, streamid)) === false);
  const carolSide = await socketOn(n2, carol);
  const refused = await request(carolSide.socket, 'live:watchRtc', { streamid }).then(
    () => null,
    (e: unknown) => e,
  );
  assert.ok(refused instanceof AckError, String(refused));
  assert.equal(refused.code, 'webrtc_full');
  // bad input is refused at node 2's edge and changes nothing
  const bad = await request(carolSide.socket, 'live:watchRtcConnect', { streamid, transportId: 42, dtlsParameters: 'none' }).then(
    () => null,
    (e: unknown) => e,
  );
  assert.ok(bad instanceof AckError && bad.code === 'invalid_input', String(bad));
  // not watching: the process running the stream says so
  const notWatching = await request(carolSide.socket, 'live:watchRtcResume', { streamid }).then(
    () => null,
    (e: unknown) => e,
  );
  assert.ok(notWatching instanceof AckError && notWatching.code === 'webrtc_unavailable', String(notWatching));

  // Bob's socket leaves node 2: node 1 frees his place
  bobSide.socket.disconnect();
  await waitFor('webrtc: true after the viewer left node 2', async () => (await webrtcFlag(n1, carol, streamid)) === true, 15_000);

  // Carol takes it from node 2, then node 2 dies: node 1's sweep frees the place
  const carolView = viewerOn(carolSide.socket, streamid);
  await frames(await carolView.start(), 5);
  assert.equal(await webrtcFlag(n1, alice, streamid), false);
  await nodes.node2!.kill();
  nodes.node2 = undefined;
  await waitFor('webrtc: true after node 2 died', async () => (await webrtcFlag(n1, alice, streamid)) === true, 40_000);

  await publisher.stop();
});
