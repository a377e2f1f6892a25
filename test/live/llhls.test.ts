/**
 * Low-latency HLS (S27): beside the classic playlists a stream's top rendition is packaged into
 * parts of about 270-300 ms, listed in a version 9 playlist with a preload hint, served with
 * blocking reload (`_HLS_msn` / `_HLS_part`); the parts of a segment are that segment byte for byte.
 * On by default (no LIVE_LLHLS given). Its ffmpeg killed mid-stream: the packager starts it again,
 * the media sequence keeps increasing, the new run (a new init) follows EXT-X-DISCONTINUITY, and a
 * blocking reload across the restart still answers.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { http, registerUser, type TestUser } from '../support/client';
import { startCallServer } from '../support/calls';
import { closeAll, prepareMediasoup } from '../support/media';
import type { RunningServer } from '../support/server';
import { waitFor } from '../support/wait';
import { WhipEncoder } from '../support/whip';
import { llFfmpegPids } from '../support/live';
import { playlistState } from '../../signaling/live/LlHlsReload';

let server: RunningServer;
const open: { close(): void }[] = [];
let alice: TestUser;
let encoder: WhipEncoder;
let llUrl: string;
let hlsUrl: string;
let streamid: string;

async function get(url: string): Promise<{ status: number; type: string | null; text: string; body: Buffer }> {
  const res = await fetch(new URL(url, server.url));
  const body = Buffer.from(await res.arrayBuffer());
  return { status: res.status, type: res.headers.get('content-type'), text: body.toString('utf8'), body };
}

const mediaUrl = () => llUrl.replace(/ll\.m3u8$/, 'll/index.m3u8');
const inFolder = (uri: string) => llUrl.replace(/ll\.m3u8$/, `ll/${uri}`);

/** Complete segments with their parts listed: [{ uri, duration, parts }]. */
function listedSegments(text: string): { uri: string; duration: number; parts: string[]; map: string }[] {
  const out: { uri: string; duration: number; parts: string[]; map: string }[] = [];
  let parts: string[] = [];
  let map = '';
  let duration = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('#EXT-X-MAP:URI="')) map = line.slice(16, -1);
    else if (line.startsWith('#EXT-X-PART:')) parts.push(/URI="([^"]+)"/.exec(line)![1]!);
    else if (line.startsWith('#EXTINF:')) duration = Number.parseFloat(line.slice(8));
    else if (line && !line.startsWith('#')) {
      out.push({ uri: line, duration, parts, map });
      parts = [];
    }
  }
  return out;
}

/** The file's duration: its end less its start (a live fragment starts where the stream was). */
const end = (csv: string): number => {
  const [start, finish] = csv.trim().split(',').map(Number);
  return finish! - start!;
};

function ffprobeDuration(file: string): Promise<number> {
  return new Promise((resolve, reject) => {
    execFile('ffprobe', ['-v', 'error', '-show_entries', 'format=start_time,duration', '-of', 'csv=p=0', file], (err, stdout) => (err ? reject(err) : resolve(end(stdout))));
  });
}

before(
  async () => {
    await prepareMediasoup();
    // LIVE_LLHLS not set: low-latency HLS is on by default.
    server = await startCallServer(1, { LIVE_RENDITIONS: '240:400,120:150' });
    alice = await registerUser(server.url, 'Alice');
    const made = await http(server.url, 'POST', '/api/live/keys', { token: alice.token, body: { title: 'LL stream' } });
    encoder = new WhipEncoder({ width: 320, height: 240 });
    open.push(encoder);
    assert.equal((await encoder.publish(server.url, made.body.key)).status, 201);
    const listed = await waitFor('the stream listed', async () => {
      const { body } = await http(server.url, 'GET', '/api/live', { token: alice.token });
      return body.streams.find((s: { title: string }) => s.title === 'LL stream');
    });
    llUrl = listed.llHlsUrl;
    hlsUrl = listed.hlsUrl;
    streamid = listed.streamid;
    // Three complete segments with parts: the packager runs steadily.
    await waitFor('LL segments', async () => {
      const res = await get(mediaUrl());
      return res.status === 200 && listedSegments(res.text).length >= 3;
    }, 40_000, 200);
  },
  { timeout: 15 * 60_000 },
);
after(async () => {
  await closeAll(open);
  await server?.stop();
});

describe('low-latency HLS', { timeout: 60_000 }, () => {
  test('the stream view names ll.m3u8 beside the classic master, which is unchanged', async () => {
    assert.match(llUrl, /^\/api\/live\/[0-9a-f-]{36}\/hls\/\d+\.[^/]+\/ll\.m3u8$/);
    assert.equal(llUrl.replace('ll.m3u8', 'master.m3u8'), hlsUrl);
    const master = await get(llUrl);
    assert.equal(master.status, 200);
    assert.match(master.text, /#EXT-X-STREAM-INF:BANDWIDTH=\d+,CODECS="avc1\.[0-9a-f]{6},mp4a\.40\.2"\nll\/index\.m3u8\n/);
    // The classic master and its rendition still list MPEG-TS segments.
    const classic = await get(hlsUrl);
    assert.equal(classic.status, 200);
    assert.match(classic.text, /240p\/index\.m3u8/);
    assert.doesNotMatch(classic.text, /ll\//);
    const rendition = await get(hlsUrl.replace('master.m3u8', '240p/index.m3u8'));
    assert.match(rendition.text, /seg\d{5}\.ts/);
    assert.doesNotMatch(rendition.text, /EXT-X-PART/);
  });

  test('the playlist carries parts, independent keyframe parts, server control and a preload hint', async () => {
    const res = await get(mediaUrl());
    assert.equal(res.type, 'application/vnd.apple.mpegurl');
    const text = res.text;
    assert.match(text, /^#EXTM3U\n#EXT-X-VERSION:9\n/);
    assert.match(text, /#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=0\.900\n/);
    assert.match(text, /#EXT-X-PART-INF:PART-TARGET=0\.300\n/);
    assert.match(text, /#EXT-X-MAP:URI="init-[0-9a-z]+\.mp4"/);
    assert.match(text, /#EXT-X-PRELOAD-HINT:TYPE=PART,URI="[0-9a-z]+-\d+\.m4s"\n$/);
    const parts = [...text.matchAll(/#EXT-X-PART:DURATION=([\d.]+),URI="[^"]+"(,INDEPENDENT=YES)?/g)];
    assert.ok(parts.length >= 6, `parts listed: ${parts.length}`);
    for (const [, duration] of parts) assert.ok(Number(duration) > 0.05 && Number(duration) <= 0.3, `part of ${duration} s in\n${text}`);
    // Every complete segment starts with an independent part.
    for (const segment of listedSegments(text).filter((s) => s.parts.length > 0)) {
      assert.match(text, new RegExp(`URI="${segment.parts[0]}",INDEPENDENT=YES`));
    }
  });

  test('a blocking reload waits for the next part and answers as soon as it is there', async () => {
    const now = playlistState((await get(mediaUrl())).text);
    const next = { msn: now.msn, part: now.parts };
    const asked = Date.now();
    const blocked = get(`${mediaUrl()}?_HLS_msn=${next.msn}&_HLS_part=${next.part}`).then((res) => ({ res, at: Date.now() }));
    // Meanwhile: when the part shows up in the ordinary playlist.
    let appearedAt = 0;
    while (!appearedAt && Date.now() - asked < 5000) {
      const state = playlistState((await get(mediaUrl())).text);
      if (state.msn > next.msn || (state.msn === next.msn && state.parts > next.part)) appearedAt = Date.now();
    }
    const { res, at } = await blocked;
    assert.equal(res.status, 200);
    const answered = playlistState(res.text);
    assert.ok(answered.msn > next.msn || answered.parts > next.part, 'the answer lists the part asked for');
    assert.ok(appearedAt > 0);
    assert.ok(at - asked > 30, `it waited (${at - asked} ms)`);
    assert.ok(at - appearedAt < 300, `answered ${at - appearedAt} ms after the part appeared`);
  });

  test('a reload far ahead is refused with 400, a malformed one too', async () => {
    const now = playlistState((await get(mediaUrl())).text);
    assert.equal((await get(`${mediaUrl()}?_HLS_msn=${now.msn + 5}`)).status, 400);
    assert.equal((await get(`${mediaUrl()}?_HLS_part=1`)).status, 400);
    assert.equal((await get(`${mediaUrl()}?_HLS_msn=x`)).status, 400);
  });

  test('the hinted part is held until written', async () => {
    const text = (await get(mediaUrl())).text;
    const hinted = /#EXT-X-PRELOAD-HINT:TYPE=PART,URI="([^"]+)"/.exec(text)![1]!;
    const res = await get(inFolder(hinted));
    assert.equal(res.status, 200);
    assert.equal(res.body.subarray(4, 8).toString('latin1'), 'moof');
  });

  test('the parts of a segment are that segment byte for byte, and ffprobe reads its duration', async () => {
    const text = (await get(mediaUrl())).text;
    const segment = listedSegments(text).filter((s) => s.parts.length > 1).at(-1)!;
    assert.ok(segment, 'a complete segment with parts');
    const whole = await get(inFolder(segment.uri));
    assert.equal(whole.status, 200);
    const parts = await Promise.all(segment.parts.map((p) => get(inFolder(p))));
    assert.ok(Buffer.concat(parts.map((p) => p.body)).equals(whole.body), 'parts joined = segment');
    const init = await get(inFolder(segment.map));
    const dir = mkdtempSync(path.join(os.tmpdir(), 'llhls-'));
    const file = path.join(dir, 'seg.mp4');
    writeFileSync(file, Buffer.concat([init.body, whole.body]));
    const duration = await ffprobeDuration(file);
    assert.ok(Math.abs(duration - segment.duration) < 0.1, `ffprobe ${duration} s, EXTINF ${segment.duration} s`);
  });

  test('its ffmpeg killed: started again, msn keeps increasing, the new run after a discontinuity, a blocked reload answers', async () => {
    const before = (await get(mediaUrl())).text;
    const oldMap = [...before.matchAll(/#EXT-X-MAP:URI="([^"]+)"/g)].at(-1)![1]!;
    const pids = llFfmpegPids(streamid);
    assert.equal(pids.length, 1, 'one LL ffmpeg');
    process.kill(pids[0]!, 'SIGKILL');
    // A player blocked on the next part right after the crash is answered (the interrupted segment
    // closes, or the new run lists its first part), not left to time out.
    const atKill = playlistState((await get(mediaUrl())).text);
    const asked = Date.now();
    const blocked = await get(`${mediaUrl()}?_HLS_msn=${atKill.msn}&_HLS_part=${atKill.parts}`);
    assert.equal(blocked.status, 200, `blocked reload across the restart: ${blocked.status} ${blocked.text}`);
    const answered = playlistState(blocked.text);
    assert.ok(answered.msn > atKill.msn || answered.parts > atKill.parts, `answered after ${Date.now() - asked} ms with what was asked for`);

    await waitFor('a new LL ffmpeg', () => llFfmpegPids(streamid).some((p) => p !== pids[0]), 10_000, 100);
    const after = await waitFor('two segments of the new run', async () => {
      const text = (await get(mediaUrl())).text;
      const maps = [...text.matchAll(/#EXT-X-MAP:URI="([^"]+)"/g)].map((m) => m[1]);
      if (maps.at(-1) === oldMap) return false;
      const newRun = text.slice(text.lastIndexOf('#EXT-X-MAP:'));
      return (newRun.match(/#EXTINF:/g) ?? []).length >= 2 ? text : false;
    }, 30_000, 200);
    assert.ok(!after.includes('#EXT-X-ENDLIST'));
    // The discontinuity heads the new run's first segment, with its new init.
    const newMap = [...after.matchAll(/#EXT-X-MAP:URI="([^"]+)"/g)].at(-1)![1]!;
    assert.notEqual(newMap, oldMap);
    assert.match(after, new RegExp(`#EXT-X-DISCONTINUITY\n#EXT-X-MAP:URI="${newMap}"`));
    assert.equal((after.match(/#EXT-X-DISCONTINUITY/g) ?? []).length, 1, 'one discontinuity: the restart');
    // The media sequence went on: segment names increase without a gap or a repeat, msn past the old one.
    const segments = listedSegments(after).map((seg) => Number(/seg(\d+)\.m4s/.exec(seg.uri)![1]));
    segments.forEach((n, i) => assert.equal(n, i, `segment ${i} is seg${String(i).padStart(5, '0')}`));
    assert.ok(playlistState(after).msn > playlistState(before).msn);
    // The new run's parts play: its last complete segment is its parts joined.
    const last = listedSegments(after).at(-1)!;
    assert.equal(last.map, newMap);
    const whole = await get(inFolder(last.uri));
    const parts = await Promise.all(last.parts.map((p) => get(inFolder(p))));
    assert.ok(last.parts.length > 0 && Buffer.concat(parts.map((p) => p.body)).equals(whole.body));
  });

  test('the end of the stream ends the LL playlist', async () => {
    assert.equal(await encoder.end(server.url), 200);
    await waitFor('ENDLIST', async () => (await get(mediaUrl())).text.includes('#EXT-X-ENDLIST'), 15_000, 200);
    const text = (await get(mediaUrl())).text;
    assert.doesNotMatch(text, /PRELOAD-HINT/);
    // A blocking reload of an ended playlist answers at once.
    const at = Date.now();
    assert.equal((await get(`${mediaUrl()}?_HLS_msn=${playlistState(text).msn}&_HLS_part=0`)).status, 200);
    assert.ok(Date.now() - at < 500);
  });
});
