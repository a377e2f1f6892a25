/**
 * Live streams (S12, S19) through the real server, mediasoup and ffmpeg: a Node WebRTC publisher
 * goes live in a group; the HLS master and media playlists appear, segments are H.264 + AAC, the
 * playlist advances (also across an ffmpeg crash), GET /api/live lists the stream, viewers are
 * counted; stopping writes ENDLIST, the list drops it and the replay expires. Outsiders are refused.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { collect, connectWithWelcome, createGroup, http, registerUser, type TestSocket, type TestUser, AckError, request, joinGroup, history } from '../support/client';
import type { RunningServer } from '../support/server';
import { closeAll, prepareMediasoup } from '../support/media';
import { debugInfo, startCallServer } from '../support/calls';
import { waitFor } from '../support/wait';
import { LivePeer, ffmpegPids } from '../support/live';

let server: RunningServer;
const open: { close(): void }[] = [];
let alice: TestUser;
let bob: TestUser;
let carol: TestUser;
let groupId: string;

async function socketOf(user: TestUser): Promise<TestSocket> {
  const { socket } = await connectWithWelcome(server.url, user.token);
  open.push(socket);
  return socket;
}

async function publisherFor(user: TestUser): Promise<LivePeer> {
  const { socket } = await connectWithWelcome(server.url, user.token);
  const publisher = new LivePeer(socket);
  open.push(publisher);
  return publisher;
}

async function get(url: string): Promise<{ status: number; type: string | null; cache: string | null; cors: string | null; body: Buffer }> {
  const res = await fetch(new URL(url, server.url));
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    cache: res.headers.get('cache-control'),
    cors: res.headers.get('access-control-allow-origin'),
    body: Buffer.from(await res.arrayBuffer()),
  };
}

const segmentsOf = (playlist: string) => playlist.split('\n').filter((l) => l.trim().endsWith('.ts'));

/** The variant playlist URLs of a master playlist, resolved against it. */
function variantsOf(masterUrl: string, master: string): { url: string; bandwidth: number }[] {
  const lines = master.split('\n');
  const out: { url: string; bandwidth: number }[] = [];
  lines.forEach((line, i) => {
    const m = /^#EXT-X-STREAM-INF:.*BANDWIDTH=(\d+)/.exec(line);
    if (m) out.push({ url: new URL(lines[i + 1]!.trim(), new URL(masterUrl, server.url)).toString(), bandwidth: Number(m[1]) });
  });
  return out;
}

before(
  async () => {
    await prepareMediasoup();
    // Short replay lifetime: the test sees the ended stream's replay removed.
    server = await startCallServer(1, { LIVE_REPLAY_TTL: '6', LIVE_RENDITIONS: '360:600,180:200', LIVE_RESUME_GRACE: '4' });
    [alice, bob, carol] = await Promise.all(['Alice', 'Bob', 'Carol'].map((n) => registerUser(server.url, n)));
    groupId = (await createGroup(server.url, alice, 'Live group')).sessionid;
    await joinGroup(server.url, bob, groupId);
  },
  { timeout: 15 * 60_000 },
);
after(async () => {
  await closeAll(open);
  await server?.stop();
});

describe('live streams', { timeout: 240_000 }, () => {
  test('a member goes live in a group: HLS playlists, H.264/AAC segments, listed, watched, ended with ENDLIST, replay expires', async () => {
    const bobSocket = await socketOf(bob);
    const carolSocket = await socketOf(carol);
    const announced = collect(bobSocket, 'message', 1, (m) => m.msgtype === 7);
    const publisher = await publisherFor(alice);
    const wentLive = collect(publisher.socket, 'live:update', 1, (e) => e.stream.state === 'live', 40_000);
    const t0 = Date.now();
    await publisher.create({ title: 'Cooking show', sessionid: groupId });
    const stream = await publisher.start();
    assert.equal(stream.visibility, 'members');
    assert.equal(stream.sessionid, groupId);

    // The conversation is told, with a link to the viewer page.
    const [message] = await announced;
    assert.equal(message.msgtype, 7);
    assert.deepEqual(message.liveinfo, { streamid: stream.streamid, title: 'Cooking show', event: 'started' });

    // Listed for members, not for outsiders.
    const listed = await http(server.url, 'GET', '/api/live', { token: bob.token });
    assert.equal(listed.status, 200);
    const mine = listed.body.streams.find((s: any) => s.streamid === stream.streamid);
    assert.ok(mine, 'GET /api/live lists the stream for a member');
    assert.match(mine.hlsUrl, /\.m3u8$/);
    // Low-latency HLS is on by default, and every stream (a browser's too) has a poster.
    assert.equal(mine.llHlsUrl, mine.hlsUrl.replace(/master\.m3u8$/, 'll.m3u8'));
    assert.equal(mine.posterUrl, mine.hlsUrl.replace(/master\.m3u8$/, 'poster.jpg'));
    assert.equal(stream.llHlsUrl?.replace(/hls\/[^/]+\//, ''), mine.llHlsUrl.replace(/hls\/[^/]+\//, ''), 'the live view names it too');
    assert.equal(mine.publisher.uid, alice.uid);
    assert.equal(mine.title, 'Cooking show');
    const forCarol = await http(server.url, 'GET', '/api/live', { token: carol.token });
    assert.ok(!forCarol.body.streams.some((s: any) => s.streamid === stream.streamid), 'an outsider does not see it listed');
    const carolGet = await http(server.url, 'GET', `/api/live/${stream.streamid}`, { token: carol.token });
    assert.equal(carolGet.status, 403);
    assert.equal(carolGet.body.error.code, 'not_member');
    await assert.rejects(request(carolSocket, 'live:watch', { streamid: stream.streamid }), (err: AckError) => err.code === 'not_member');

    // The master playlist and its variants appear within a bounded time.
    const masterUrl = mine.hlsUrl as string;
    const master = await waitFor('the master playlist', async () => {
      const r = await get(masterUrl);
      return r.status === 200 && r.body.toString().includes('#EXT-X-STREAM-INF') ? r : false;
    }, 30_000);
    assert.equal(master.type, 'application/vnd.apple.mpegurl');
    assert.match(master.cache ?? '', /no-cache/);
    assert.equal(master.cors, '*');
    const variants = variantsOf(masterUrl, master.body.toString());
    assert.equal(variants.length, 2, 'two renditions');
    assert.ok(variants[0]!.bandwidth > variants[1]!.bandwidth, 'the master playlist gives each rendition its bandwidth');
    const first = await waitFor('segments in the media playlist', async () => {
      const r = await get(variants[0]!.url);
      return r.status === 200 && segmentsOf(r.body.toString()).length >= 2 ? r.body.toString() : false;
    }, 30_000);
    const afterMs = Date.now() - t0;
    assert.match(first, /#EXT-X-PLAYLIST-TYPE:EVENT/);
    assert.match(first, /#EXT-X-PROGRAM-DATE-TIME/);
    const [live] = await wentLive;
    assert.equal(live.stream.state, 'live');

    // Segments are H.264 + AAC.
    const segUrl = new URL(segmentsOf(first)[0]!.trim(), variants[0]!.url).toString();
    const seg = await get(segUrl);
    assert.equal(seg.status, 200);
    assert.equal(seg.type, 'video/mp2t');
    assert.match(seg.cache ?? '', /immutable/);
    const segFile = path.join(os.tmpdir(), `cookim-seg-${process.pid}.ts`);
    await writeFile(segFile, seg.body);
    const probe = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name,codec_type,height', '-of', 'json', segFile], { encoding: 'utf8' }));
    const codecs = probe.streams.map((s: any) => s.codec_name).sort();
    assert.deepEqual(codecs, ['aac', 'h264']);
    assert.equal(probe.streams.find((s: any) => s.codec_type === 'video').height, 240, 'a 320x240 source stays 240 high in the 360p rendition');

    // The playlist advances.
    const before = segmentsOf(first).length;
    await waitFor('the playlist to advance', async () => segmentsOf((await get(variants[0]!.url)).body.toString()).length >= before + 2, 15_000);

    // A viewer is counted, live, at the publisher.
    let publisherViewers = -1;
    const counted = waitFor('viewer count 1 at the publisher', () => publisherViewers === 1, 10_000);
    publisher.socket.on('live:viewers', (e) => {
      if (e.streamid === stream.streamid) publisherViewers = e.viewers;
    });
    const watched = await request(bobSocket, 'live:watch', { streamid: stream.streamid });
    assert.equal(watched.stream.viewers, 1);
    await counted;

    // ffmpeg crashes: it is started again and the playlist keeps advancing, the stream stays listed.
    const pids = ffmpegPids(stream.streamid);
    assert.equal(pids.length, 1, 'one ffmpeg per stream');
    const atCrash = segmentsOf((await get(variants[0]!.url)).body.toString()).length;
    process.kill(pids[0]!, 'SIGKILL');
    await waitFor('a new ffmpeg', () => ffmpegPids(stream.streamid).some((p) => p !== pids[0]), 10_000);
    const resumed = await waitFor('the playlist to advance after the crash', async () => {
      const text = (await get(variants[0]!.url)).body.toString();
      return segmentsOf(text).length >= atCrash + 3 ? text : false;
    }, 30_000);
    assert.match(resumed, /#EXT-X-DISCONTINUITY/, 'the restart is marked as a discontinuity');
    assert.ok(!resumed.includes('#EXT-X-ENDLIST'));
    assert.ok((await http(server.url, 'GET', '/api/live', { token: bob.token })).body.streams.some((s: any) => s.streamid === stream.streamid));

    // Stopping: ENDLIST, dropped from the list, announced, the viewer told; the replay stays for a while.
    const endedAtBob = collect(bobSocket, 'live:update', 1, (e) => e.stream.state === 'ended');
    const endMessage = collect(bobSocket, 'message', 1, (m) => m.msgtype === 7);
    const stopped = await publisher.stop();
    assert.equal(stopped.state, 'ended');
    assert.equal(stopped.endReason, 'stopped');
    assert.ok(stopped.replayUntil && stopped.replayUntil > Date.now());
    assert.equal((await endedAtBob)[0].stream.state, 'ended');
    const [ended] = await endMessage;
    assert.equal(ended.liveinfo?.event, 'ended');
    assert.match(ended.msg, /live stream ended, \d+:\d\d/);
    for (const v of variants) assert.match((await get(v.url)).body.toString(), /#EXT-X-ENDLIST\s*$/);
    assert.ok(!(await http(server.url, 'GET', '/api/live', { token: bob.token })).body.streams.some((s: any) => s.streamid === stream.streamid));
    assert.equal((await http(server.url, 'GET', `/api/live/${stream.streamid}`, { token: bob.token })).body.stream.state, 'ended');
    assert.equal(ffmpegPids(stream.streamid).length, 0, 'ffmpeg exited');
    const messages = await history(server.url, bob, groupId);
    assert.deepEqual(messages.filter((m) => m.msgtype === 7).map((m) => m.liveinfo.event).sort(), ['ended', 'started']);

    // LIVE_REPLAY_TTL later the replay is gone.
    await waitFor('the replay to be removed', async () => (await http(server.url, 'GET', `/api/live/${stream.streamid}`, { token: bob.token })).status === 404, 20_000);
    assert.equal((await get(masterUrl)).status, 404);
    process.stdout.write(`# live: two segments listed ${afterMs} ms after live:create (includes negotiation)\n`);
  });

  test('a public stream gets a chat group anyone may join, and anyone may watch it', async () => {
    const publisher = await publisherFor(alice);
    await publisher.create({ title: 'Open stage' });
    const stream = await publisher.start();
    assert.equal(stream.visibility, 'public');
    assert.ok(stream.sessionid, 'a chat group was made for it');
    const info = await http(server.url, 'GET', `/api/sessions/${stream.sessionid}`, { token: carol.token });
    assert.equal(info.status, 200);
    assert.equal(info.body.session.visabletype, 1);
    assert.equal((await http(server.url, 'POST', `/api/sessions/${stream.sessionid}/join`, { token: carol.token })).status, 200);
    const listed = await http(server.url, 'GET', '/api/live', { token: carol.token });
    const entry = listed.body.streams.find((s: any) => s.streamid === stream.streamid);
    assert.ok(entry, 'a public stream is listed to everyone');
    const carolSocket = await socketOf(carol);
    assert.equal((await request(carolSocket, 'live:watch', { streamid: stream.streamid })).stream.streamid, stream.streamid);

    // The publisher's connection drops and does not come back within LIVE_RESUME_GRACE: the stream
    // ends (ENDLIST), and the viewer hears of it.
    const ended = collect(carolSocket, 'live:update', 1, (e) => e.stream.state === 'ended', 30_000);
    await waitFor('a media playlist', async () => (await get(entry.hlsUrl.replace('master.m3u8', '360p/index.m3u8'))).status === 200, 30_000);
    publisher.socket.disconnect();
    const [update] = await ended;
    assert.equal(update.stream.state, 'ended');
    assert.equal(update.stream.endReason, 'publisher_left');
    assert.match((await get(entry.hlsUrl.replace('master.m3u8', '360p/index.m3u8'))).body.toString(), /#EXT-X-ENDLIST/);
  });

  test("the publisher's connection drops and comes back: the stream goes on, the same playlists after a discontinuity", async () => {
    const publisher = await publisherFor(alice);
    await publisher.create({ title: 'Train ride', sessionid: groupId });
    const stream = await publisher.start();
    const media = new URL(stream.hlsUrl.replace('master.m3u8', '360p/index.m3u8'), server.url).toString();
    await waitFor('segments', async () => segmentsOf((await get(media)).body.toString()).length >= 2, 30_000);
    const bobSocket = await socketOf(bob);
    let ended = false;
    bobSocket.on('live:update', (e) => {
      if (e.stream.streamid === stream.streamid && e.stream.state === 'ended') ended = true;
    });
    await request(bobSocket, 'live:watch', { streamid: stream.streamid });
    publisher.socket.disconnect();
    await waitFor('the transcoder to stop while the publisher is away', () => ffmpegPids(stream.streamid).length === 0, 10_000);
    const atDrop = segmentsOf((await get(media)).body.toString()).length;
    // Someone else cannot take it over.
    await assert.rejects(request(bobSocket, 'live:resume', { streamid: stream.streamid }), (err: AckError) => err.code === 'forbidden');
    const { socket } = await connectWithWelcome(server.url, alice.token);
    await publisher.resume(socket);
    const text = await waitFor('the playlist to go on', async () => {
      const t = (await get(media)).body.toString();
      return segmentsOf(t).length >= atDrop + 3 ? t : false;
    }, 30_000);
    assert.match(text, /#EXT-X-DISCONTINUITY/);
    assert.ok(!text.includes('#EXT-X-ENDLIST'));
    assert.equal(ended, false, 'viewers never saw it end');
    // Past the grace period it still runs: the resumed connection is the publisher now.
    await new Promise((r) => setTimeout(r, 5000));
    assert.equal((await http(server.url, 'GET', `/api/live/${stream.streamid}`, { token: bob.token })).body.stream.state, 'live');
    const stopped = await publisher.stop();
    assert.equal(stopped.endReason, 'stopped');
    assert.match((await get(media)).body.toString(), /#EXT-X-ENDLIST/);
  });

  test('a mediasoup worker killed mid-stream: the stream moves to another worker, the publisher sends again, the playlist goes on', async () => {
    const publisher = await publisherFor(alice);
    await publisher.create({ title: 'Sturdy stream', sessionid: groupId });
    const stream = await publisher.start();
    const media = new URL(stream.hlsUrl.replace('master.m3u8', '360p/index.m3u8'), server.url).toString();
    await waitFor('segments', async () => segmentsOf((await get(media)).body.toString()).length >= 2, 30_000);
    const [proc] = await debugInfo(publisher.socket);
    const holding = proc.workers.filter((w) => w.rooms > 0);
    assert.equal(holding.length, 1, 'one worker holds the stream room');
    const moved = collect(publisher.socket, 'live:reconnectMedia', 1, (e) => e.streamid === stream.streamid, 20_000);
    const atKill = segmentsOf((await get(media)).body.toString()).length;
    process.kill(holding[0]!.pid, 'SIGKILL');
    await moved;
    await waitFor('the publisher to send again', () => publisher.reconnects === 1, 20_000);
    const text = await waitFor('the playlist to advance on the new worker', async () => {
      const t = (await get(media)).body.toString();
      return segmentsOf(t).length >= atKill + 3 ? t : false;
    }, 30_000);
    assert.match(text, /#EXT-X-DISCONTINUITY/);
    assert.ok(!text.includes('#EXT-X-ENDLIST'), 'the stream did not end');
    assert.equal((await http(server.url, 'GET', `/api/live/${stream.streamid}`, { token: bob.token })).body.stream.state, 'live');
    const [after] = await debugInfo(publisher.socket);
    assert.ok(after.workers.every((w) => w.pid !== holding[0]!.pid), 'the dead worker was replaced');
    assert.equal(ffmpegPids(stream.streamid).length, 1, 'one ffmpeg, on the new room');
    await publisher.stop();
  });

  test('bad requests are refused with a clear error and change nothing', async () => {
    const socket = await socketOf(alice);
    const reject = (event: string, payload: unknown, code: string) =>
      assert.rejects(request(socket, event, payload), (err: AckError) => err.code === code, `${event} ${JSON.stringify(payload)} -> ${code}`);
    await reject('live:create', { title: '' }, 'invalid_input');
    await reject('live:create', { title: 'x'.repeat(101) }, 'invalid_input');
    await reject('live:create', { title: 'Members only, nowhere', visibility: 'members' }, 'invalid_input');
    const other = await createGroup(server.url, carol, 'Not Alice');
    await reject('live:create', { title: 'Elsewhere', sessionid: other.sessionid }, 'not_member');
    await reject('live:start', { streamid: 'no-such-stream' }, 'stream_not_found');
    await reject('live:watch', { streamid: '00000000-0000-4000-8000-000000000000' }, 'stream_not_found');
    await reject('live:watch', null, 'invalid_input');

    // Without a video track a stream cannot go live; another connection cannot drive it.
    const created = await request(socket, 'live:create', { title: 'No tracks yet', sessionid: groupId });
    const streamid = created.stream.streamid;
    await reject('live:start', { streamid }, 'invalid_input');
    await reject('live:create', { title: 'A second one', sessionid: groupId }, 'already_live');
    const intruder = await socketOf(bob);
    await assert.rejects(request(intruder, 'live:start', { streamid }), (err: AckError) => err.code === 'stream_not_found' || err.code === 'forbidden');
    await reject('live:produce', { streamid, transportId: created.transport.transportId, kind: 'audio', rtpParameters: {}, source: 'camera' }, 'invalid_input');
    await request(socket, 'live:stop', { streamid });
    // A stream that never went live leaves no record behind.
    assert.equal((await http(server.url, 'GET', `/api/live/${streamid}`, { token: alice.token })).status, 404);

    // HLS paths: a bad token, a path outside the stream folder, an unknown file.
    const sid = '00000000-0000-4000-8000-000000000000';
    assert.equal((await get(`/api/live/${sid}/hls/1.abc/master.m3u8`)).status, 403);
    for (const bad of ['..%2F..%2Fjwt-secret', '..%2Fmaster.m3u8', 'passwd']) {
      const status = (await get(`/api/live/${sid}/hls/1.abc/${bad}`)).status;
      assert.ok(status === 403 || status === 404, `${bad}: ${status}`);
    }
    const unauth = await http(server.url, 'GET', '/api/live');
    assert.equal(unauth.status, 401);
  });
});
