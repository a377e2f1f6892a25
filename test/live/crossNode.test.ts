// A live stream across two nodes (issue 7 item 2, "live streams likewise"): two server processes on
// one DATA_DIR (shared database, embedded Redis, shared hls/ folder). The publisher goes live on
// node 1; a viewer on node 2 finds it in GET /api/live there, plays its HLS from node 2, and is
// counted at the publisher across the Redis adapter. When node 1 dies with the stream, node 2
// ends the stream's record, stops the ffmpeg it left behind and closes its playlists.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { collect, connectWithWelcome, createGroup, http, registerUser } from '../support/client';
import type { RunningServer } from '../support/server';
import { request } from '../calls/callPeer';
import { closeAll, joinGroup, prepareMediasoup, startTwoNodes, waitFor } from '../calls/callTestKit';
import { LivePublisher } from './livePublisher';
import { ffmpegPids } from './liveTestKit';

let node1: RunningServer | undefined;
let node2: RunningServer | undefined;
const open: { close(): void }[] = [];

before(
  async () => {
    await prepareMediasoup();
    [node1, node2] = await startTwoNodes('live-nodes', { LIVE_RENDITIONS: '240:300' });
  },
  { timeout: 15 * 60_000 },
);
after(async () => {
  await closeAll(open);
  await Promise.all([node1?.stop(), node2?.stop()]);
});

test('a stream published on node 1 is listed, played and counted on node 2; node 1 dying ends it', { timeout: 120_000 }, async () => {
  const [n1, n2] = [node1!.url, node2!.url];
  const a = await registerUser(n1, 'Publisher on 1');
  const b = await registerUser(n2, 'Viewer on 2');
  const group = await createGroup(n1, a, 'Live across nodes');
  await joinGroup(n2, b, group.sessionid);

  const pub = await connectWithWelcome(n1, a.token);
  const viewer = await connectWithWelcome(n2, b.token);
  open.push(viewer.socket);
  assert.notEqual(pub.node, viewer.node);
  const publisher = new LivePublisher(pub.socket);
  open.push(publisher);
  await publisher.create({ title: 'Across', sessionid: group.sessionid });
  const stream = await publisher.start();

  const listed = await http(n2, 'GET', '/api/live', { token: b.token });
  const entry = listed.body.streams.find((s: any) => s.streamid === stream.streamid);
  assert.ok(entry, 'node 2 lists the stream node 1 runs');
  const media = new URL(entry.hlsUrl.replace('master.m3u8', '240p/index.m3u8'), n2);
  const playlist = await waitFor('segments served by node 2', async () => {
    const res = await fetch(media);
    const text = res.status === 200 ? await res.text() : '';
    return (text.match(/#EXTINF/g) ?? []).length >= 2 ? text : false;
  }, 30_000);
  const segment = playlist.split('\n').find((l) => l.endsWith('.ts'))!;
  const seg = await fetch(new URL(segment, media));
  assert.equal(seg.status, 200);
  assert.ok((await seg.arrayBuffer()).byteLength > 1000);

  // The viewer on node 2 is counted at the publisher on node 1.
  const counted = collect(pub.socket, 'live:viewers', 1, (e) => e.streamid === stream.streamid && e.viewers === 1, 15_000);
  assert.equal((await request(viewer.socket, 'live:watch', { streamid: stream.streamid })).stream.viewers, 1);
  await counted;

  // Node 1 dies with the stream: node 2's sweep ends the record (not refreshed any more) and closes the playlist.
  const ended = collect(viewer.socket, 'live:update', 1, (e) => e.stream.state === 'ended', 60_000);
  await node1!.kill();
  node1 = undefined;
  const [update] = await ended;
  assert.equal(update.stream.endReason, 'media_lost');
  assert.match(await (await fetch(media)).text(), /#EXT-X-ENDLIST/);
  assert.deepEqual(ffmpegPids(stream.streamid), [], "the dead node's ffmpeg was stopped");
  assert.ok(!(await http(n2, 'GET', '/api/live', { token: b.token })).body.streams.some((s: any) => s.streamid === stream.streamid));
});
