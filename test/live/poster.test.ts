/**
 * Stream thumbnails (S27): every live stream (an encoder's over WHIP, a browser's VP8) gets a poster
 * JPEG of the top rendition every few seconds, taken from its written segments; GET /api/live
 * carries its signed `posterUrl` (beside `hlsUrl`), which answers a JPEG, refreshed while the
 * stream runs (also after its transcoder's ffmpeg crashed and restarted), and refuses a forged folder.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { connectWithWelcome, http, registerUser, type TestUser } from '../support/client';
import { LivePeer, ffmpegPids } from '../support/live';
import { startCallServer } from '../support/calls';
import { closeAll, prepareMediasoup } from '../support/media';
import type { RunningServer } from '../support/server';
import { waitFor } from '../support/wait';
import { WhipEncoder } from '../support/whip';

let server: RunningServer;
const open: { close(): void }[] = [];
let alice: TestUser;
let bob: TestUser;

async function jpeg(url: string): Promise<{ status: number; type: string | null; body: Buffer }> {
  const res = await fetch(new URL(url, server.url));
  return { status: res.status, type: res.headers.get('content-type'), body: Buffer.from(await res.arrayBuffer()) };
}

before(
  async () => {
    await prepareMediasoup();
    server = await startCallServer(1, { LIVE_RENDITIONS: '240:400,120:150' });
    [alice, bob] = await Promise.all([registerUser(server.url, 'Alice'), registerUser(server.url, 'Bob')]);
  },
  { timeout: 15 * 60_000 },
);
after(async () => {
  await closeAll(open);
  await server?.stop();
});

describe('stream posters', { timeout: 120_000 }, () => {
  test('a poster JPEG appears under the signed folder, named by posterUrl in GET /api/live', async () => {
    const made = await http(server.url, 'POST', '/api/live/keys', { token: alice.token, body: { title: 'Poster stream' } });
    const encoder = new WhipEncoder({ width: 320, height: 240 });
    open.push(encoder);
    assert.equal((await encoder.publish(server.url, made.body.key)).status, 201);

    // Public stream: another user sees it listed with its poster.
    const listed = await waitFor('the stream listed with a poster URL', async () => {
      const { body } = await http(server.url, 'GET', '/api/live', { token: bob.token });
      return body.streams.find((s: { title: string }) => s.title === 'Poster stream');
    });
    assert.match(listed.posterUrl, /^\/api\/live\/[0-9a-f-]{36}\/hls\/\d+\.[^/]+\/poster\.jpg$/);
    assert.equal(listed.posterUrl.replace('poster.jpg', 'master.m3u8'), listed.hlsUrl);

    const first = await waitFor('the first poster', async () => {
      const res = await jpeg(listed.posterUrl);
      return res.status === 200 ? res : undefined;
    }, 30_000);
    assert.equal(first.type, 'image/jpeg');
    assert.equal(first.body.subarray(0, 2).toString('hex'), 'ffd8', 'a JPEG');
    assert.ok(first.body.length > 500);
    // Rewritten while the stream runs (the synthetic picture moves).
    await waitFor('a newer poster', async () => !(await jpeg(listed.posterUrl)).body.equals(first.body), 20_000, 500);

    const forged = await jpeg(listed.posterUrl.replace(/hls\/(\d+)\.[^/]+/, 'hls/$1.forged'));
    assert.equal(forged.status, 403);
    // The stream's view (GET /api/live/:id) carries it too.
    const one = await http(server.url, 'GET', `/api/live/${listed.streamid}`, { token: bob.token });
    assert.match(one.body.stream.posterUrl, /poster\.jpg$/);
    assert.equal(await encoder.end(server.url), 200);
  });

  test('a browser-style VP8 stream gets posters too, and they go on after its ffmpeg crashed', async () => {
    const { socket } = await connectWithWelcome(server.url, alice.token);
    const publisher = new LivePeer(socket, { width: 320, height: 240 });
    open.push(publisher);
    await publisher.create({ title: 'Browser poster', visibility: 'public' });
    const started = await publisher.start();
    assert.match(started.posterUrl ?? '', /\/poster\.jpg$/, 'the view names the poster from the start');
    const listed = await waitFor('the browser stream listed with a poster URL', async () => {
      const { body } = await http(server.url, 'GET', '/api/live', { token: bob.token });
      return body.streams.find((s: { streamid: string }) => s.streamid === started.streamid);
    });
    assert.match(listed.posterUrl, /^\/api\/live\/[0-9a-f-]{36}\/hls\/\d+\.[^/]+\/poster\.jpg$/);

    const first = await waitFor('the first poster of the browser stream', async () => {
      const res = await jpeg(listed.posterUrl);
      return res.status === 200 ? res : undefined;
    }, 30_000);
    assert.equal(first.type, 'image/jpeg');
    assert.equal(first.body.subarray(0, 2).toString('hex'), 'ffd8', 'a JPEG');
    const second = await waitFor('a newer poster', async () => {
      const res = await jpeg(listed.posterUrl);
      return res.status === 200 && !res.body.equals(first.body) ? res : undefined;
    }, 20_000, 500);

    // The transcoder's ffmpeg crashes: it starts again, the stream carries on, and so do its posters.
    const pids = ffmpegPids(started.streamid);
    assert.equal(pids.length, 1, 'one transcoder ffmpeg per stream (posters run apart, briefly)');
    process.kill(pids[0]!, 'SIGKILL');
    await waitFor('a new ffmpeg', () => ffmpegPids(started.streamid).some((p) => p !== pids[0]), 10_000);
    await waitFor('a poster made after the restart', async () => {
      const res = await jpeg(listed.posterUrl);
      return res.status === 200 && !res.body.equals(second.body) && !res.body.equals(first.body);
    }, 30_000, 500);
    assert.equal((await publisher.stop()).state, 'ended');
  });
});
