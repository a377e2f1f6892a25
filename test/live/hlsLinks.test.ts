/**
 * Short-lived HLS links (LIVE_HLS_URL_TTL), through the real server, mediasoup and ffmpeg: a
 * member's link works, is refused once past its expiry (403 url_expired, in the error shape), and a
 * fresh one from GET /api/live/:streamid works again; a member who left the conversation is refused
 * a fresh one and their last link stops working when it expires. A live stream also counts among
 * its publisher's LIVE_STREAMS_PER_USER.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { connectWithWelcome, createGroup, http, type TestUser, AckError, request, joinGroup, registerUser } from '../support/client';
import type { RunningServer } from '../support/server';
import { closeAll, prepareMediasoup } from '../support/media';
import { sleep, waitFor } from '../support/wait';
import { startCallServer } from '../support/calls';
import { LivePeer } from '../support/live';

const TTL = 10;
let server: RunningServer;
const open: { close(): void }[] = [];
let alice: TestUser;
let bob: TestUser;
let groupId: string;

before(
  async () => {
    await prepareMediasoup();
    server = await startCallServer(1, { LIVE_HLS_URL_TTL: String(TTL), LIVE_RENDITIONS: '180:200' });
    [alice, bob] = await Promise.all([registerUser(server.url, 'Alice'), registerUser(server.url, 'Bob')]);
    groupId = (await createGroup(server.url, alice, 'Members only')).sessionid;
    await joinGroup(server.url, bob, groupId);
  },
  { timeout: 15 * 60_000 },
);
after(async () => {
  await closeAll(open);
  await server?.stop();
});

async function get(url: string): Promise<{ status: number; cache: string | null; body: string }> {
  const res = await fetch(new URL(url, server.url));
  return { status: res.status, cache: res.headers.get('cache-control'), body: await res.text() };
}

async function freshLink(user: TestUser, streamid: string): Promise<{ status: number; hlsUrl: string; hlsExpiresIn: number; error?: { code: string } }> {
  const res = await http(server.url, 'GET', `/api/live/${streamid}`, { token: user.token });
  return { status: res.status, ...(res.body.stream ?? {}), error: res.body.error };
}

const media = (hlsUrl: string) => hlsUrl.replace('master.m3u8', '180p/index.m3u8');

test('an HLS link expires within LIVE_HLS_URL_TTL; GET /api/live/:id renews it for members only', { timeout: 120_000 }, async () => {
  const { socket } = await connectWithWelcome(server.url, alice.token);
  const publisher = new LivePeer(socket);
  open.push(publisher);
  await publisher.create({ title: 'Short links', sessionid: groupId });
  const stream = await publisher.start();
  const { streamid } = stream;
  assert.ok(stream.hlsExpiresIn >= 1 && stream.hlsExpiresIn <= TTL + 1, `the link lives about ${TTL} s: ${stream.hlsExpiresIn}`);

  // A live stream counts among Alice's streams (LIVE_STREAMS_PER_USER=1): no second one meanwhile.
  const { socket: second } = await connectWithWelcome(server.url, alice.token);
  open.push(second);
  await assert.rejects(request(second, 'live:create', { title: 'Another', sessionid: groupId }), (err: AckError) => err.code === 'already_live');

  // Bob's link works while it is valid; segments are cached no longer than the link lives.
  const first = await waitFor('a playable media playlist', async () => {
    const link = await freshLink(bob, streamid);
    const res = await get(media(link.hlsUrl));
    return res.status === 200 && /seg\d+\.ts/.test(res.body) ? { link, playlist: res.body } : false;
  }, 45_000, 500);
  const segment = new URL(/seg\d+\.ts/.exec(first.playlist)![0], new URL(media(first.link.hlsUrl), server.url)).toString();
  const seg = await get(segment);
  assert.equal(seg.status, 200);
  const maxAge = Number(/max-age=(\d+)/.exec(seg.cache ?? '')?.[1]);
  assert.ok(maxAge <= TTL + 1, `a segment is cached at most as long as its link lives: ${seg.cache}`);

  // Past its expiry the same link is refused, playlists and segments alike.
  await sleep((first.link.hlsExpiresIn + 1.5) * 1000);
  for (const url of [first.link.hlsUrl, media(first.link.hlsUrl), segment]) {
    const res = await get(url);
    assert.equal(res.status, 403, url);
    assert.equal(JSON.parse(res.body).error.code, 'url_expired');
  }
  // A fresh link (membership checked again) works.
  const renewed = await freshLink(bob, streamid);
  assert.equal(renewed.status, 200);
  assert.notEqual(renewed.hlsUrl, first.link.hlsUrl);
  assert.equal((await get(renewed.hlsUrl)).status, 200);
  assert.equal((await get(media(renewed.hlsUrl))).status, 200);

  // Bob leaves the conversation: no fresh link, and the last one he has ends with its lifetime.
  assert.equal((await http(server.url, 'POST', `/api/sessions/${groupId}/leave`, { token: bob.token })).status, 204);
  const refused = await freshLink(bob, streamid);
  assert.equal(refused.status, 403);
  assert.equal(refused.error?.code, 'not_member');
  await sleep((renewed.hlsExpiresIn + 1.5) * 1000);
  assert.equal((await get(media(renewed.hlsUrl))).status, 403, 'access ended within the lifetime of the last link');

  // A forged folder (a far expiry with a made-up signature) is refused as well.
  const forged = renewed.hlsUrl.replace(/\/hls\/\d+\.[^/]+\//, `/hls/${Math.floor(Date.now() / 1000) + 86_400}.AAAA/`);
  assert.equal((await get(forged)).status, 403);
  await publisher.stop();
});
