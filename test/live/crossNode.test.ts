// A live stream across two nodes (issue 7 item 2, "live streams likewise"): two server processes on
// one DATA_DIR (shared database, embedded Redis, shared hls/ folder). The publisher goes live on
// node 1; a viewer on node 2 finds it in GET /api/live there, plays its HLS from node 2, and is
// counted at the publisher across the Redis adapter. The publisher's connection drops and comes
// back on node 2, which takes the stream over. When node 1 dies with another stream, node 2 ends
// that stream's record, stops the ffmpeg it left behind and closes its playlists.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { collect, connectWithWelcome, createGroup, http, registerUser, request, joinGroup } from '../support/client';
import { twoNodesForFile } from '../support/calls';
import { waitFor } from '../support/wait';
import { LivePeer, ffmpegPids, llFfmpegPids } from '../support/live';

// One publisher runs two streams here (one per node): allowed by LIVE_STREAMS_PER_USER=2.
const nodes = twoNodesForFile('live-nodes', { LIVE_RENDITIONS: '240:300', LIVE_STREAMS_PER_USER: '2' });
const open = nodes.open;

test('a stream published on node 1 is listed, played and counted on node 2, resumed there by its publisher; node 1 dying ends the one left on it', { timeout: 120_000 }, async () => {
  const [n1, n2] = [nodes.node1!.url, nodes.node2!.url];
  const a = await registerUser(n1, 'Publisher on 1');
  const b = await registerUser(n2, 'Viewer on 2');
  const group = await createGroup(n1, a, 'Live across nodes');
  await joinGroup(n2, b, group.sessionid);

  const pub = await connectWithWelcome(n1, a.token);
  const viewer = await connectWithWelcome(n2, b.token);
  open.push(viewer.socket);
  assert.notEqual(pub.node, viewer.node);
  const publisher = new LivePeer(pub.socket);
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

  // The publisher's connection drops and comes back on node 2: node 2 takes the stream over (node 1
  // lets go without ending it) and the same playlists go on.
  const count = async () => ((await (await fetch(media)).text()).match(/#EXTINF/g) ?? []).length;
  const pub2 = await connectWithWelcome(n2, a.token);
  pub.socket.disconnect();
  const atMove = await count();
  await publisher.resume(pub2.socket);
  await waitFor('the playlist to go on from node 2', async () => (await count()) >= atMove + 3, 30_000);
  assert.equal((await http(n2, 'GET', `/api/live/${stream.streamid}`, { token: b.token })).body.stream.state, 'live');
  const owners = ffmpegPids(stream.streamid);
  assert.equal(owners.length, 1, 'one ffmpeg runs the stream, on node 2');

  // A second stream stays on node 1, and node 1 dies with it: node 2's sweep ends the record (not
  // refreshed any more), stops the ffmpeg node 1 left behind and closes the playlist. The moved
  // stream goes on.
  const second = new LivePeer((await connectWithWelcome(n1, a.token)).socket);
  open.push(second);
  await second.create({ title: 'Left on node 1', sessionid: group.sessionid });
  const doomed = await second.start();
  const doomedMedia = new URL(doomed.hlsUrl.replace('master.m3u8', '240p/index.m3u8'), n2);
  await waitFor('the second stream playing', async () => ((await (await fetch(doomedMedia)).text()).match(/#EXTINF/g) ?? []).length >= 2, 30_000);
  await request(viewer.socket, 'live:watch', { streamid: doomed.streamid });
  const ended = collect(viewer.socket, 'live:update', 1, (e) => e.stream.streamid === doomed.streamid && e.stream.state === 'ended', 60_000);
  await nodes.node1!.kill();
  nodes.node1 = undefined;
  const [update] = await ended;
  assert.equal(update.stream.endReason, 'media_lost');
  assert.match(await (await fetch(doomedMedia)).text(), /#EXT-X-ENDLIST/);
  assert.deepEqual(ffmpegPids(doomed.streamid), [], "the dead node's ffmpeg was stopped");
  assert.deepEqual(llFfmpegPids(doomed.streamid), [], "the dead node's LL-HLS ffmpeg was stopped");
  const stillListed = (await http(n2, 'GET', '/api/live', { token: b.token })).body.streams.map((s: any) => s.streamid);
  assert.ok(!stillListed.includes(doomed.streamid));
  assert.ok(stillListed.includes(stream.streamid), 'the stream node 2 took over is still live');
  await publisher.stop();
});
