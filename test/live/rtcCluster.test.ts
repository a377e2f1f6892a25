/**
 * Real-time viewing (S27) with the processes of one node (WORKERS=2, as `npm start` runs on two
 * cores): a viewer whose socket lands on the process that does not run the stream watches it in
 * real time all the same (its requests forwarded over the cluster's adapter), and leaving frees
 * the place at once.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import wrtc from '@roamhq/wrtc';
import type { LiveStreamInfo } from '../../signaling/protocol/live';
import { LiveRtcViewer } from '../../web/src/lib/liveRtcViewer';
import { socketRequest } from '../../web/src/lib/socketRequest';
import { startCallServer } from '../support/calls';
import { connectWithWelcome, http, registerUser, type TestSocket } from '../support/client';
import { LivePeer } from '../support/live';
import { closeAll, NODE_HANDLER, prepareMediasoup } from '../support/media';
import type { RunningServer } from '../support/server';
import { waitFor } from '../support/wait';

let server: RunningServer;
const open: { close(): void }[] = [];

before(
  async () => {
    await prepareMediasoup();
    server = await startCallServer(2, { LIVE_RENDITIONS: '240:300', LIVE_WEBRTC_VIEWERS: '1', LIVE_LLHLS: '0' });
  },
  { timeout: 15 * 60_000 },
);
after(async () => {
  await closeAll(open);
  await server?.stop();
});

test('a viewer on the other process of the node watches in real time; leaving frees the place', { timeout: 90_000 }, async () => {
  const [alice, bob] = await Promise.all([registerUser(server.url, 'Alice'), registerUser(server.url, 'Bob')]);
  const pub = await connectWithWelcome(server.url, alice.token);
  open.push(pub.socket);
  const publisher = new LivePeer(pub.socket);
  open.push(publisher);
  await publisher.create({ title: 'Two processes', visibility: 'public' });
  const { streamid } = await publisher.start();

  let side = await connectWithWelcome(server.url, bob.token);
  const extra: TestSocket[] = [];
  for (let i = 0; i < 10 && side.node === pub.node; i++) {
    extra.push(side.socket);
    side = await connectWithWelcome(server.url, bob.token);
  }
  open.push(side.socket, ...extra);
  assert.notEqual(side.node, pub.node, 'the viewer is served by the other process');

  const viewer = new LiveRtcViewer((event, payload) => socketRequest(side.socket, event, payload), streamid, { handlerName: NODE_HANDLER });
  open.push(viewer);
  const media = await viewer.start();
  const sink = new wrtc.nonstandard.RTCVideoSink(media.getVideoTracks()[0]!);
  let frames = 0;
  sink.onframe = () => frames++;
  try {
    await waitFor('video frames from the other process', () => frames >= 10, 15_000);
  } finally {
    sink.stop();
  }
  const webrtc = async () => (await http<{ stream: LiveStreamInfo }>(server.url, 'GET', `/api/live/${streamid}`, { token: bob.token })).body.stream.webrtc;
  await waitFor('the one place taken', async () => (await webrtc()) === false);
  viewer.close();
  await waitFor('the place free again', async () => (await webrtc()) === true, 10_000);
  await publisher.stop();
});
