import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import type { CallRecordingEvent } from '../../signaling/protocol/callRecording';
import { AckError, collect, connectSocket, createGroup, history, joinGroup, registerUser, request, type MessageView, type TestSocket, type TestUser } from '../support/client';
import { CallPeer, debugInfo, startCallServer } from '../support/calls';
import { fetchBytes } from '../support/files';
import { closeAll, prepareMediasoup } from '../support/media';
import type { RunningServer } from '../support/server';
import { sleep, waitFor } from '../support/wait';

const run = promisify(execFile);
let server: RunningServer;
const open: { close(): void }[] = [];
const scratch = mkdtempSync(path.join(os.tmpdir(), 'cookim-recording-'));

before(
  async () => {
    await prepareMediasoup();
    // Two mediasoup workers: a killed one is replaced and the call's media moves.
    server = await startCallServer(1, { MEDIA_WORKERS: '2' });
  },
  { timeout: 15 * 60_000 },
);
after(async () => {
  await closeAll(open);
  await server?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

interface Setup {
  users: TestUser[];
  sockets: TestSocket[];
  peers: CallPeer[];
  callid: string;
  sessionid: string;
}

/** A group of `names`; the first two join a video call (the others only belong to the group). */
async function videoCall(title: string, names: string[]): Promise<Setup> {
  const users = await Promise.all(names.map((n) => registerUser(server.url, n)));
  const group = await createGroup(server.url, users[0]!, title);
  for (const u of users.slice(1)) await joinGroup(server.url, u, group.sessionid);
  const sockets = await Promise.all(users.map((u) => connectSocket(server.url, u.token)));
  open.push(...sockets);
  const { call } = await request(sockets[0]!, 'call:start', { sessionid: group.sessionid, kind: 'video' });
  const peers = [new CallPeer('A', users[0]!.uid, sockets[0]!), new CallPeer('B', users[1]!.uid, sockets[1]!)];
  open.push(...peers);
  for (const p of peers) await p.join(call.callid);
  await flowing(peers);
  return { users, sockets, peers, callid: call.callid, sessionid: group.sessionid };
}

async function flowing(peers: CallPeer[]): Promise<void> {
  const start = await Promise.all(peers.map((p) => p.received()));
  await waitFor('media flowing', async () => {
    const now = await Promise.all(peers.map((p) => p.received()));
    return peers.every((p, i) =>
      peers.filter((q) => q !== p).every((q) => ['audio', 'video'].every((k) => (now[i]![`${q.uid}:${k}`] ?? 0) > (start[i]![`${q.uid}:${k}`] ?? 0) + 10)),
    );
  }, 25_000);
}

/** The next video message (msgtype 3) a socket receives in the conversation. */
function nextVideoMessage(socket: TestSocket, sessionid: string, timeoutMs = 60_000): Promise<MessageView> {
  return collect(socket, 'message', 1, (m) => m.sessionid === sessionid && m.msgtype === 3, timeoutMs).then(([m]) => m!);
}

/** The posted MP4's streams and length, from ffprobe. */
async function probe(message: MessageView, user: TestUser): Promise<{ codecs: string[]; duration: number; file: string }> {
  const url = message.fileinfo?.url;
  assert.ok(url, 'the video message carries its file');
  const res = await fetchBytes(server.url, url, { token: user.token });
  assert.equal(res.status, 200);
  const file = path.join(scratch, `${message.msgid}.mp4`);
  writeFileSync(file, res.bytes);
  const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name:format=duration,format_name', '-of', 'json', file]);
  const info = JSON.parse(stdout) as { streams: { codec_name: string }[]; format: { duration: string; format_name: string } };
  assert.match(info.format.format_name, /mp4/);
  return { codecs: info.streams.map((s) => s.codec_name).sort(), duration: Number(info.format.duration), file };
}

/** Decodes the whole file: a playable file decodes to the end. */
async function decodes(file: string): Promise<void> {
  await run('ffmpeg', ['-v', 'error', '-xerror', '-i', file, '-f', 'null', '-'], { timeout: 60_000 });
}

test('a 10 s two-peer video call recorded: posted as msgtype 3, H.264 + AAC of about 10 s, with a thumbnail', { timeout: 150_000 }, async () => {
  const { users, sockets, peers, callid, sessionid } = await videoCall('Recorded call', ['Ann', 'Ben']);
  const [a, b] = users;
  const heard = collect(sockets[1]!, 'call:recording', 1, (e) => e.callid === callid && e.recording);
  const announced = collect(sockets[1]!, 'message', 1, (m) => m.sessionid === sessionid && m.callinfo?.event === 'recording');
  const started = await request<{ startedAt: number }>(sockets[0]!, 'call:record:start', { callid });
  const [event] = await heard;
  assert.deepEqual(event!.by, { uid: a!.uid, nickname: 'Ann' });
  assert.equal(event!.startedAt, started.startedAt);
  const [line] = await announced;
  assert.equal(line!.senduid, a!.uid);
  assert.equal(line!.msgtype, 6);
  // Late joiners see it in the call's info.
  const { calls } = await request<{ calls: { callid: string; recording?: CallRecordingEvent }[] }>(sockets[1]!, 'call:list', {});
  assert.equal(calls.find((c) => c.callid === callid)?.recording?.by?.uid, a!.uid);

  await sleep(10_000);
  const posted = nextVideoMessage(sockets[1]!, sessionid);
  const ended = collect(sockets[1]!, 'call:recording', 1, (e) => e.callid === callid && !e.recording);
  // Anyone in the call may stop it; the video is still the starter's.
  assert.deepEqual(await request(sockets[1]!, 'call:record:stop', { callid }), { ok: true });
  assert.equal((await ended)[0]!.reason, 'stopped');
  const video = await posted;
  assert.equal(video.msgtype, 3);
  assert.equal(video.senduid, a!.uid);
  assert.ok(video.fileinfo?.thumbUrl, 'the video message has a thumbnail');
  const thumb = await fetchBytes(server.url, video.fileinfo.thumbUrl, { token: b!.token });
  assert.equal(thumb.status, 200);
  assert.match(thumb.headers.get('content-type') ?? '', /image\/webp/);
  const { codecs, duration, file } = await probe(video, b!);
  assert.deepEqual(codecs, ['aac', 'h264']);
  assert.ok(Math.abs(duration - 10) <= 2, `about 10 s long (got ${duration} s)`);
  await decodes(file);
  // It is in the conversation's history too, for whoever was not online.
  assert.ok((await history(server.url, b!, sessionid)).some((m) => m.msgid === video.msgid));
  for (const p of peers) await p.leave();
});

test('refusals: a non-participant, a second start, a stop with none running answer the error shape and change nothing', { timeout: 120_000 }, async () => {
  const { users, sockets, peers, callid, sessionid } = await videoCall('Refused recordings', ['Cat', 'Dan', 'Eve']);
  const refused = async (socket: TestSocket, event: string, code: string) => {
    const answer = await (socket.timeout(10_000) as any).emitWithAck(event, { callid });
    assert.equal(answer?.error?.code, code, `${event}: ${JSON.stringify(answer)}`);
    assert.equal(typeof answer.error.message, 'string');
  };
  const before = (await history(server.url, users[0]!, sessionid)).length;
  await refused(sockets[0]!, 'call:record:stop', 'not_recording');
  // Eve belongs to the group but is not in the call.
  await refused(sockets[2]!, 'call:record:start', 'not_member');
  const { calls } = await request<{ calls: { callid: string; recording?: unknown }[] }>(sockets[0]!, 'call:list', {});
  assert.equal(calls.find((c) => c.callid === callid)?.recording, undefined);
  assert.equal((await history(server.url, users[0]!, sessionid)).length, before, 'no message for a refused request');

  await request(sockets[0]!, 'call:record:start', { callid });
  await refused(sockets[1]!, 'call:record:start', 'already_recording');
  await refused(sockets[2]!, 'call:record:stop', 'not_member');
  const { calls: still } = await request<{ calls: { callid: string; recording?: { by: { uid: string } } }[] }>(sockets[1]!, 'call:list', {});
  assert.equal(still.find((c) => c.callid === callid)?.recording?.by.uid, users[0]!.uid, 'the first recording runs on');
  await assert.rejects(request(sockets[2]!, 'call:record:start', { callid: 'no-such-call' }), (err: AckError) => err.code === 'call_not_found');
  await assert.rejects(request(sockets[2]!, 'call:record:start', {}), (err: AckError) => err.code === 'invalid_input');

  // Leaving ends the call, which finishes the recording: it is posted all the same.
  const posted = nextVideoMessage(sockets[2]!, sessionid);
  // long enough for ffmpeg to have begun writing (a recording of a second or two may hold nothing)
  await sleep(6000);
  for (const p of peers) await p.leave();
  const video = await posted;
  assert.equal(video.senduid, users[0]!.uid);
});

test('a mediasoup worker killed mid-recording: the recording continues after a gap and the file plays', { timeout: 180_000 }, async () => {
  const { users, sockets, peers, callid, sessionid } = await videoCall('Sturdy recording', ['Fay', 'Gus']);
  await request(sockets[0]!, 'call:record:start', { callid });
  await sleep(4000);

  const [proc] = await debugInfo(sockets[0]!);
  const info = proc!.calls.find((c) => c.callid === callid)!;
  const workerPid = info.workerPid!;
  // The call spreads over both workers: only the peers placed on the killed one reconnect.
  const lost = peers.filter((p) => info.placements[p.uid]?.workerPid === workerPid);
  const reconnects = lost.map((p) => collect(p.socket, 'call:reconnectMedia', 1, (e) => e.callid === callid, 20_000));
  process.kill(workerPid, 'SIGKILL');
  await Promise.all(reconnects);
  for (const p of lost) await p.join(callid);
  await flowing(peers);
  const { calls } = await request<{ calls: { callid: string; recording?: unknown }[] }>(sockets[1]!, 'call:list', {});
  assert.ok(calls.find((c) => c.callid === callid)?.recording, 'still recording after the worker died');
  await sleep(4000);

  const posted = nextVideoMessage(sockets[1]!, sessionid);
  await request(sockets[0]!, 'call:record:stop', { callid });
  const video = await posted;
  const { codecs, duration, file } = await probe(video, users[1]!);
  assert.deepEqual(codecs, ['aac', 'h264']);
  // Both sides of the gap are in it (4 s before the kill, 4 s after the peers came back).
  assert.ok(duration >= 6, `both parts recorded (got ${duration} s)`);
  await decodes(file);
  for (const p of peers) await p.leave();
});

test('a recording that outgrows its starter’s storage quota stops unkept, with quota_exceeded', { timeout: 150_000 }, async () => {
  // A server of its own with a 1-byte quota: the first bytes recorded are too many.
  const tight = await startCallServer(1, { MEDIA_WORKERS: '1', USER_STORAGE_QUOTA: '1' });
  const local: { close(): void }[] = [];
  try {
    const users = await Promise.all(['Hal', 'Ida'].map((n) => registerUser(tight.url, n)));
    const group = await createGroup(tight.url, users[0]!, 'Full storage');
    await joinGroup(tight.url, users[1]!, group.sessionid);
    const sockets = await Promise.all(users.map((u) => connectSocket(tight.url, u.token)));
    local.push(...sockets);
    const { call } = await request(sockets[0]!, 'call:start', { sessionid: group.sessionid, kind: 'video' });
    const peers = [new CallPeer('H', users[0]!.uid, sockets[0]!), new CallPeer('I', users[1]!.uid, sockets[1]!)];
    local.push(...peers);
    for (const p of peers) await p.join(call.callid);
    await flowing(peers);

    const ended = collect(sockets[1]!, 'call:recording', 1, (e) => e.callid === call.callid && !e.recording, 30_000);
    await request(sockets[0]!, 'call:record:start', { callid: call.callid });
    const [event] = await ended;
    assert.equal(event!.reason, 'failed');
    assert.equal(event!.error?.code, 'quota_exceeded');
    const { calls } = await request<{ calls: { callid: string; recording?: unknown }[] }>(sockets[0]!, 'call:list', {});
    assert.equal(calls.find((c) => c.callid === call.callid)?.recording, undefined, 'no longer recording');
    await sleep(2000);
    const messages = await history(tight.url, users[0]!, group.sessionid);
    assert.equal(messages.filter((m) => m.msgtype === 3).length, 0, 'nothing posted');
    for (const p of peers) await p.leave();
  } finally {
    await closeAll(local);
    await tight.stop();
  }
});

test('CALL_RECORDINGS_MAX: one more is refused too_many_recordings (retryable); CALL_RECORD_MAX_SECONDS stops one by itself, posted, and frees the place', { timeout: 150_000 }, async () => {
  // A server of its own: one recording at a time, 6 s at most.
  const small = await startCallServer(1, { MEDIA_WORKERS: '1', CALL_RECORDINGS_MAX: '1', CALL_RECORD_MAX_SECONDS: '6' });
  const local: { close(): void }[] = [];
  try {
    const users = await Promise.all(['Jo', 'Kim', 'Lee', 'Max'].map((n) => registerUser(small.url, n)));
    const sockets = await Promise.all(users.map((u) => connectSocket(small.url, u.token)));
    local.push(...sockets);
    // two calls in two groups, two peers each
    const calls: { callid: string; sessionid: string }[] = [];
    for (const pair of [[0, 1], [2, 3]] as const) {
      const group = await createGroup(small.url, users[pair[0]]!, `Recorded ${pair[0]}`);
      await joinGroup(small.url, users[pair[1]]!, group.sessionid);
      const { call } = await request(sockets[pair[0]]!, 'call:start', { sessionid: group.sessionid, kind: 'video' });
      const peers = pair.map((i) => new CallPeer(`P${i}`, users[i]!.uid, sockets[i]!));
      local.push(...peers);
      for (const p of peers) await p.join(call.callid);
      await flowing(peers);
      calls.push({ callid: call.callid, sessionid: group.sessionid });
    }
    const [first, second] = calls as [(typeof calls)[0], (typeof calls)[0]];

    const ended = collect(sockets[1]!, 'call:recording', 1, (e) => e.callid === first.callid && !e.recording, 40_000);
    const posted = nextVideoMessage(sockets[1]!, first.sessionid);
    const startedAt = Date.now();
    await request(sockets[0]!, 'call:record:start', { callid: first.callid });
    const answer = await (sockets[2]!.timeout(10_000) as any).emitWithAck('call:record:start', { callid: second.callid });
    assert.equal(answer?.error?.code, 'too_many_recordings', JSON.stringify(answer));
    assert.equal(answer.error.retryable, true);
    const { calls: listed } = await request<{ calls: { callid: string; recording?: unknown }[] }>(sockets[2]!, 'call:list', {});
    assert.equal(listed.find((c) => c.callid === second.callid)?.recording, undefined, 'the refused start changed nothing');

    // the first stops by itself at its length limit and is posted
    const [event] = await ended;
    assert.equal(event!.reason, 'max_length');
    const tookS = (Date.now() - startedAt) / 1000;
    assert.ok(tookS >= 5 && tookS < 20, `stopped after ${tookS.toFixed(1)} s`);
    const video = await posted;
    const url = video.fileinfo?.url;
    assert.ok(url, 'the video message carries its file');
    const res = await fetchBytes(small.url, url, { token: users[1]!.token });
    assert.equal(res.status, 200);
    const file = path.join(scratch, `${video.msgid}.mp4`);
    writeFileSync(file, res.bytes);
    const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file]);
    assert.ok(Number(stdout) <= 8, `no longer than the limit (got ${Number(stdout)} s)`);

    // its place is free again: the second call records now
    await request(sockets[2]!, 'call:record:start', { callid: second.callid });
    await request(sockets[2]!, 'call:record:stop', { callid: second.callid });
  } finally {
    await closeAll(local);
    await small.stop();
  }
});
