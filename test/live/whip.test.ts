/**
 * WHIP ingest (RFC 9725, S27) through the real server, mediasoup and ffmpeg: a Node WebRTC peer
 * as the encoder POSTs its offer with a stream key and gets 201, an SDP answer and a Location; the
 * stream goes live like a browser's (listed in GET /api/live, HLS segments, the chat card); DELETE
 * on the Location writes ENDLIST. A wrong or revoked key gets 401, a second publish on a key that
 * is live 409 `already_live`, a body that is not SDP 415, PATCH 405.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createGroup, history, http, registerUser, type TestUser } from '../support/client';
import { startCallServer } from '../support/calls';
import { closeAll, prepareMediasoup } from '../support/media';
import type { RunningServer } from '../support/server';
import { waitFor } from '../support/wait';
import { postOffer, WhipEncoder } from '../support/whip';

let server: RunningServer;
const open: { close(): void }[] = [];
let alice: TestUser;
let groupId: string;

async function makeKey(user: TestUser, body: Record<string, unknown>): Promise<{ keyid: string; key: string }> {
  const res = await http(server.url, 'POST', '/api/live/keys', { token: user.token, body });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body;
}

async function text(url: string): Promise<{ status: number; body: string }> {
  const res = await fetch(new URL(url, server.url));
  return { status: res.status, body: await res.text() };
}

const segmentsOf = (playlist: string) => playlist.split('\n').filter((l) => l.trim().endsWith('.ts'));

before(
  async () => {
    await prepareMediasoup();
    server = await startCallServer(1, { LIVE_RENDITIONS: '240:400,120:150', LIVE_RESUME_GRACE: '4' });
    alice = await registerUser(server.url, 'Alice');
    groupId = (await createGroup(server.url, alice, 'WHIP group')).sessionid;
  },
  { timeout: 15 * 60_000 },
);
after(async () => {
  await closeAll(open);
  await server?.stop();
});

describe('WHIP ingest', { timeout: 120_000 }, () => {
  test('refuses a body that is not SDP (415), a missing or wrong key (401), an offer without video (400), PATCH (405)', async () => {
    const { key } = await makeKey(alice, { title: 'refusals' });
    const notSdp = await postOffer(server.url, key, '{"sdp":"v=0"}', 'application/json');
    assert.equal(notSdp.status, 415);
    assert.equal(JSON.parse(notSdp.body).error.code, 'invalid_input');
    const encoder = new WhipEncoder();
    open.push(encoder);
    const offer = await encoder.offer();
    const none = await postOffer(server.url, null, offer);
    assert.equal(none.status, 401);
    assert.equal(JSON.parse(none.body).error.code, 'invalid_stream_key');
    assert.match(none.headers.get('www-authenticate') ?? '', /^Bearer/);
    const wrong = await postOffer(server.url, key.slice(0, -4) + 'AAAA', offer);
    assert.equal(wrong.status, 401);
    assert.equal(JSON.parse(wrong.body).error.code, 'invalid_stream_key');
    const garbage = await postOffer(server.url, key, 'v=0\r\nnot an offer\r\n');
    assert.equal(garbage.status, 400);
    assert.equal(JSON.parse(garbage.body).error.code, 'invalid_input');
    const audioOnly = await postOffer(server.url, key, offer.replace(/m=video [^]*$/, ''));
    assert.equal(audioOnly.status, 400, audioOnly.body);
    assert.match(JSON.parse(audioOnly.body).error.message, /no video track/);
    const patch = await fetch(`${server.url}/api/live/whip/${'0'.repeat(32)}`, { method: 'PATCH', headers: { 'content-type': 'application/trickle-ice-sdpfrag' }, body: 'a=end-of-candidates' });
    assert.equal(patch.status, 405);
    const options = await fetch(`${server.url}/api/live/whip`, { method: 'OPTIONS' });
    assert.equal(options.headers.get('accept-post'), 'application/sdp');
  });

  test('a VP8 + Opus encoder goes live: answer and Location, listed, segments, chat card; DELETE writes ENDLIST', async () => {
    const { key } = await makeKey(alice, { title: 'OBS in the group', sessionid: groupId });
    const encoder = new WhipEncoder({ width: 320, height: 240 });
    open.push(encoder);
    const started = Date.now();
    const answer = await encoder.publish(server.url, key);
    assert.equal(answer.status, 201, answer.body);
    assert.match(answer.headers.get('content-type') ?? '', /^application\/sdp/);
    assert.match(answer.headers.get('location') ?? '', /^\/api\/live\/whip\/[0-9a-f]{32}$/);
    assert.match(answer.body, /a=ice-lite/);
    assert.match(answer.body, /a=setup:passive/);
    assert.match(answer.body, /a=candidate:/);
    assert.match(answer.body, /a=rtpmap:\d+ VP8\/90000/);
    assert.match(answer.body, /a=rtpmap:\d+ opus\/48000\/2/);
    await encoder.connected();

    const listed = await waitFor('the WHIP stream listed', async () => {
      const { body } = await http(server.url, 'GET', '/api/live', { token: alice.token });
      return body.streams.find((s: { title: string }) => s.title === 'OBS in the group');
    });
    assert.equal(listed.sessionid, groupId);
    assert.equal(listed.publisher.uid, alice.uid);

    // A second publish on the key that is live: refused with its code.
    const second = new WhipEncoder();
    open.push(second);
    const refused = await postOffer(server.url, key, await second.offer());
    assert.equal(refused.status, 409);
    assert.equal(JSON.parse(refused.body).error.code, 'already_live');

    const mediaUrl = listed.hlsUrl.replace('master.m3u8', '240p/index.m3u8');
    const playlist = await waitFor('HLS segments of the WHIP stream', async () => {
      const res = await text(mediaUrl);
      return res.status === 200 && segmentsOf(res.body).length >= 2 ? res.body : undefined;
    }, 30_000);
    process.stderr.write(`WHIP stream: first segments ${Date.now() - started} ms after the POST\n`);
    const segment = await fetch(new URL(listed.hlsUrl.replace('master.m3u8', `240p/${segmentsOf(playlist)[0]}`), server.url));
    assert.equal(segment.status, 200);
    assert.ok((await segment.arrayBuffer()).byteLength > 1000);
    await waitFor('the "is live" chat card', async () => (await history(server.url, alice, groupId)).find((m) => m.msgtype === 7 && m.liveinfo?.event === 'started'));

    assert.equal(await encoder.end(server.url), 200);
    const ended = await text(mediaUrl);
    assert.match(ended.body, /#EXT-X-ENDLIST/);
    const after = await http(server.url, 'GET', '/api/live', { token: alice.token });
    assert.ok(!after.body.streams.some((s: { streamid: string }) => s.streamid === listed.streamid));
    // Gone: a second DELETE finds nothing.
    assert.equal(await encoder.end(server.url), 404);
    encoder.close();
  });

  test('a revoked key gets 401', async () => {
    const { keyid, key } = await makeKey(alice, { title: 'revoked soon' });
    assert.equal((await http(server.url, 'DELETE', `/api/live/keys/${keyid}`, { token: alice.token })).status, 204);
    const encoder = new WhipEncoder();
    open.push(encoder);
    const refused = await postOffer(server.url, key, await encoder.offer());
    assert.equal(refused.status, 401);
    assert.equal(JSON.parse(refused.body).error.code, 'invalid_stream_key');
  });
});
