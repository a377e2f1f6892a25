/**
 * Real-time viewing over WebRTC (S27) through the real server, mediasoup and ffmpeg: a Node
 * publisher goes live; a viewer driving the web client's own engine (web/src/lib/liveRtcViewer.ts)
 * over @roamhq/wrtc receives video frames and estimates its delay. With LIVE_WEBRTC_VIEWERS=1 the
 * listing says `webrtc: false` while the one place is taken, a second viewer is refused
 * `webrtc_full` (its page plays HLS), and the place comes back when the first one leaves.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import wrtc from '@roamhq/wrtc';
import type { LiveStreamInfo } from '../../signaling/protocol/live';
import { LiveRtcViewer } from '../../web/src/lib/liveRtcViewer';
import { socketRequest } from '../../web/src/lib/socketRequest';
import { startCallServer } from '../support/calls';
import { AckError, connectWithWelcome, http, request, registerUser, type TestSocket, type TestUser } from '../support/client';
import { LivePeer } from '../support/live';
import { closeAll, NODE_HANDLER, prepareMediasoup } from '../support/media';
import type { RunningServer } from '../support/server';
import { waitFor } from '../support/wait';

let server: RunningServer;
const open: { close(): void }[] = [];
let alice: TestUser;
let bob: TestUser;
let carol: TestUser;

async function socketOf(user: TestUser): Promise<TestSocket> {
  const { socket } = await connectWithWelcome(server.url, user.token);
  open.push(socket);
  return socket;
}

function viewerOn(socket: TestSocket, streamid: string): LiveRtcViewer {
  const viewer = new LiveRtcViewer((event, payload) => socketRequest(socket, event, payload), streamid, { handlerName: NODE_HANDLER });
  open.push(viewer);
  return viewer;
}

async function listed(user: TestUser, streamid: string): Promise<LiveStreamInfo | undefined> {
  const { body } = await http<{ streams: LiveStreamInfo[] }>(server.url, 'GET', '/api/live', { token: user.token });
  return body.streams.find((s) => s.streamid === streamid);
}

/** Counts the decoded frames arriving on a received video track. */
function countFrames(track: MediaStreamTrack): { frames: number; stop(): void } {
  const sink = new wrtc.nonstandard.RTCVideoSink(track);
  const counter = { frames: 0, stop: () => sink.stop(), close: () => sink.stop() };
  sink.onframe = () => counter.frames++;
  open.push(counter);
  return counter;
}

before(
  async () => {
    await prepareMediasoup();
    server = await startCallServer(1, { LIVE_RENDITIONS: '240:400', LIVE_WEBRTC_VIEWERS: '1' });
    [alice, bob, carol] = await Promise.all(['Alice', 'Bob', 'Carol'].map((n) => registerUser(server.url, n)));
  },
  { timeout: 15 * 60_000 },
);
after(async () => {
  await closeAll(open);
  await server?.stop();
});

describe('real-time viewing', { timeout: 60_000 }, () => {
  test('a viewer receives frames; the second is refused webrtc_full while the listing says webrtc: false', async () => {
    const publisher = new LivePeer(await socketOf(alice));
    open.push(publisher);
    await publisher.create({ title: 'real time' });
    const { streamid } = await publisher.start();
    const before = await waitFor('the stream live and listed', async () => {
      const s = await listed(bob, streamid);
      return s?.state === 'live' ? s : undefined;
    }, 30_000);
    assert.equal(before.webrtc, true);

    const bobSocket = await socketOf(bob);
    const updates: LiveStreamInfo[] = [];
    bobSocket.on('live:update', ({ stream }) => void updates.push(stream));
    await request(bobSocket, 'live:watch', { streamid });
    const first = viewerOn(bobSocket, streamid);
    const media = await first.start();
    const video = media.getVideoTracks()[0];
    assert.ok(video, 'a video track');
    assert.equal(media.getAudioTracks().length, 1);
    const counter = countFrames(video);
    await waitFor('video frames over WebRTC', () => counter.frames >= 10, 15_000);
    const delay = await waitFor('a delay estimate', async () => (await first.delay()) ?? undefined, 10_000);
    assert.ok(delay > 0 && delay < 1, `delay ${delay} s`);
    process.stderr.write(`real-time viewing: ${counter.frames} frames, estimated delay ${(delay * 1000).toFixed(0)} ms\n`);
    counter.stop();

    assert.equal((await listed(carol, streamid))?.webrtc, false);
    await waitFor('live:update with webrtc: false', () => updates.some((s) => s.webrtc === false));
    const carolSocket = await socketOf(carol);
    const refused = await request(carolSocket, 'live:watchRtc', { streamid }).then(
      () => null,
      (e: unknown) => e,
    );
    assert.ok(refused instanceof AckError, String(refused));
    assert.equal(refused.code, 'webrtc_full');
    // The page's engine gets the same refusal (and plays HLS instead).
    await assert.rejects(viewerOn(carolSocket, streamid).start(), (e: Error & { code?: string }) => e.code === 'webrtc_full');

    // The place comes back when the first viewer leaves (and on disconnect, below).
    first.close();
    await waitFor('webrtc: true again', async () => (await listed(carol, streamid))?.webrtc === true);
    const second = viewerOn(carolSocket, streamid);
    const carolMedia = await second.start();
    const carolFrames = countFrames(carolMedia.getVideoTracks()[0]!);
    await waitFor('frames for the second viewer', () => carolFrames.frames >= 5, 15_000);
    carolFrames.stop();
    carolSocket.disconnect();
    await waitFor('webrtc: true after the disconnect', async () => (await listed(bob, streamid))?.webrtc === true);

    await publisher.stop();
    const ended = await http<{ stream: LiveStreamInfo }>(server.url, 'GET', `/api/live/${streamid}`, { token: bob.token });
    assert.equal(ended.body.stream.webrtc, false);
  });
});
