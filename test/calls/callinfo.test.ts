/**
 * Call announcements carry a structured `callinfo` (issue 11, point 7) beside the English
 * `content` older clients show: started, ended with its duration, missed, declined.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MessageView } from '../../signaling/protocol/models';
import { collect, http, registerUser, request, history } from '../support/client';
import { CallPeer } from '../support/calls';
import { callServerForFile } from '../support/callServerFile';
import { sleep } from '../support/wait';

const suite = callServerForFile({ CALL_RING_TIMEOUT: '3' });
const { open, connect } = suite;

async function privateChat(names: [string, string]) {
  const [a, b] = await Promise.all(names.map((n) => registerUser(suite.server.url, n)));
  const res = await http(suite.server.url, 'POST', '/api/sessions/private', { token: a.token, body: { uid: b.uid } });
  const [sa, sb] = await Promise.all([connect(a.token), connect(b.token)]);
  return { a, b, sa, sb, sessionid: res.body.session.sessionid as string };
}

test('a call started, answered and ended posts started and ended with its duration', { timeout: 60_000 }, async () => {
  const { a, b, sa, sb, sessionid } = await privateChat(['Ada', 'Bea']);
  const started = collect(sb, 'message', 1, (m) => m.msgtype === 6);
  const { call } = await request(sa, 'call:start', { sessionid, kind: 'video' });
  const startedMessage = (await started)[0] as MessageView;
  assert.deepEqual(startedMessage.callinfo, { callid: call.callid, event: 'started', video: true });
  assert.equal(startedMessage.msg, 'started a video call', 'the English content stays for older clients');

  const peers = [new CallPeer('A', a.uid, sa), new CallPeer('B', b.uid, sb)];
  open.push(...peers);
  for (const p of peers) await p.join(call.callid);
  await sleep(1200);
  const ended = collect(sa, 'call:ended', 1);
  const endedMessage = collect(sb, 'message', 1, (m) => m.msgtype === 6 && m.callinfo?.event === 'ended');
  await peers[0].leave();
  await peers[1].leave();
  const end = (await ended)[0];
  const info = ((await endedMessage)[0] as MessageView).callinfo!;
  assert.equal(info.callid, call.callid);
  assert.equal(info.video, true);
  assert.equal(info.durationMs, end.durationMs, 'the announcement carries the duration call:ended reported');
  assert.ok(info.durationMs! >= 1000);
  assert.match((await endedMessage)[0].msg, /^call ended, \d+:\d\d$/);

  // History and the conversation list's last message carry the same callinfo.
  const msgs: MessageView[] = await history(suite.server.url, a, sessionid);
  assert.deepEqual(
    msgs.map((m) => m.callinfo && { event: m.callinfo.event, video: m.callinfo.video, timed: m.callinfo.durationMs !== undefined }),
    [
      { event: 'ended', video: true, timed: true },
      { event: 'started', video: true, timed: false },
    ],
  );
  const sessions = await http(suite.server.url, 'GET', '/api/sessions', { token: b.token });
  const listed = sessions.body.sessions.find((s: { sessionid: string }) => s.sessionid === sessionid);
  assert.equal(listed.lastMessage.callinfo.event, 'ended');
});

test('a declined private call is announced as declined, an unanswered one as missed', { timeout: 60_000 }, async () => {
  const { b, sa, sb, sessionid } = await privateChat(['Cy', 'Di']);
  const ring = collect(sb, 'call:ring', 1);
  const { call } = await request(sa, 'call:start', { sessionid, kind: 'voice' });
  await ring;
  const declined = collect(sa, 'message', 1, (m) => m.msgtype === 5 && m.callinfo?.event !== 'started');
  await request(sb, 'call:decline', { callid: call.callid });
  const message = (await declined)[0] as MessageView;
  assert.deepEqual(message.callinfo, { callid: call.callid, event: 'declined', video: false });
  assert.equal(message.msg, 'declined voice call');

  const unansweredEnd = collect(sa, 'call:ended', 1, () => true, 15_000);
  const missed = collect(sa, 'message', 1, (m) => m.msgtype === 5 && m.callinfo?.event === 'missed', 15_000);
  const again = await request(sa, 'call:start', { sessionid, kind: 'voice' });
  assert.equal((await unansweredEnd)[0].reason, 'unanswered');
  assert.deepEqual(((await missed)[0] as MessageView).callinfo, { callid: again.call.callid, event: 'missed', video: false });
  const msgs: MessageView[] = await history(suite.server.url, b, sessionid);
  assert.deepEqual(
    msgs.map((m) => m.callinfo?.event),
    ['missed', 'started', 'declined', 'started'],
  );
});
