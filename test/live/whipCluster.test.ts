/**
 * WHIP across nodes (S27): an encoder publishes on node 1 (its media there); the stream is listed
 * on node 2, a second publish of the same key on node 2 is refused `already_live`, and a DELETE of
 * the resource that reaches node 2 ends the stream on node 1 (ENDLIST written).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { http, registerUser, type TestUser } from '../support/client';
import { startTwoNodes } from '../support/calls';
import { closeAll, prepareMediasoup } from '../support/media';
import type { RunningServer } from '../support/server';
import { waitFor } from '../support/wait';
import { postOffer, WhipEncoder } from '../support/whip';

let node1: RunningServer;
let node2: RunningServer;
let alice: TestUser;
const open: { close(): void }[] = [];

before(
  async () => {
    await prepareMediasoup();
    [node1, node2] = await startTwoNodes('whip-nodes', { LIVE_RENDITIONS: '240:300' });
    alice = await registerUser(node1.url, 'Encoder owner');
  },
  { timeout: 15 * 60_000 },
);
after(async () => {
  await closeAll(open);
  await Promise.all([node1?.stop(), node2?.stop()]);
});

test('published on node 1, refused again and deleted through node 2', { timeout: 120_000 }, async () => {
  const { body: made } = await http(node1.url, 'POST', '/api/live/keys', { token: alice.token, body: { title: 'Two nodes' } });
  const encoder = new WhipEncoder();
  open.push(encoder);
  assert.equal((await encoder.publish(node1.url, made.key)).status, 201);
  await encoder.connected();
  const listed = await waitFor('the stream listed on node 2', async () => {
    const { body } = await http(node2.url, 'GET', '/api/live', { token: alice.token });
    return body.streams.find((s: { title: string }) => s.title === 'Two nodes');
  });

  const second = new WhipEncoder();
  open.push(second);
  const refused = await postOffer(node2.url, made.key, await second.offer());
  assert.equal(refused.status, 409);
  assert.equal(JSON.parse(refused.body).error.code, 'already_live');

  const mediaUrl = listed.hlsUrl.replace('master.m3u8', '240p/index.m3u8');
  await waitFor('a segment', async () => (await (await fetch(new URL(mediaUrl, node2.url))).text()).includes('.ts'), 30_000);
  // The Location is relative: sent to node 2, which does not run the stream.
  assert.equal(await encoder.end(node2.url), 200);
  assert.match(await (await fetch(new URL(mediaUrl, node2.url))).text(), /#EXT-X-ENDLIST/);
  const after = await http(node1.url, 'GET', '/api/live', { token: alice.token });
  assert.ok(!after.body.streams.some((s: { streamid: string }) => s.streamid === listed.streamid));
});
