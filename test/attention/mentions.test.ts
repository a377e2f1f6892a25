import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { connectSocket, createGroup, history, http, joinGroup, registerUser, sendText, sessionToken, type TestSocket, type TestUser } from '../support/client';
import { del } from '../conversation/conversationSteps';
import { attentionOf, sendMentioning, useAttentionServer } from './attentionSteps';

let url: string;
let owner: TestUser;
let member: TestUser;
let stranger: TestUser;
let group: string;
let ownerSocket: TestSocket;
let memberSocket: TestSocket;
let ownerToken: string;
let memberToken: string;

useAttentionServer(async (u) => {
  url = u;
  owner = await registerUser(url, 'Owner');
  member = await registerUser(url, 'Member');
  stranger = await registerUser(url, 'Stranger');
  group = (await createGroup(url, owner, 'Mentions')).sessionid;
  await joinGroup(url, member, group);
  ownerSocket = await connectSocket(url, owner.token);
  memberSocket = await connectSocket(url, member.token);
  ownerToken = await sessionToken(url, owner, group);
  memberToken = await sessionToken(url, member, group);
}, () => [ownerSocket, memberSocket]);

describe('mentions (issue 13)', () => {
  test('a member may be mentioned: stored, in views, counted as an unread mention', async () => {
    const before = await attentionOf(url, member.token, group);
    const ack = await sendMentioning(ownerSocket, ownerToken, '@Member look', [member.uid, member.uid]);
    assert.ok(ack.msgid, JSON.stringify(ack));
    const [latest] = await history(url, owner, group);
    assert.equal(latest.msgid, ack.msgid);
    assert.deepEqual(latest.mentions, [member.uid], 'stored once');
    const now = await attentionOf(url, member.token, group);
    assert.equal(now.unread, (before.unread ?? 0) + 1);
    assert.equal(now.unreadMentions, (before.unreadMentions ?? 0) + 1);
    // A plain message counts as unread, not as a mention.
    await sendText(ownerSocket, ownerToken, 'no mention here');
    const plain = await attentionOf(url, member.token, group);
    assert.equal(plain.unread, now.unread! + 1);
    assert.equal(plain.unreadMentions, now.unreadMentions);
  });

  test('a non-member is refused with invalid_mentions and nothing is stored', async () => {
    const [before] = await history(url, owner, group);
    const ack = await sendMentioning(ownerSocket, ownerToken, 'hello @Stranger', [member.uid, stranger.uid]);
    assert.equal(ack.error?.code, 'invalid_mentions', JSON.stringify(ack));
    assert.match(ack.error.message, new RegExp(stranger.uid));
    const [latest] = await history(url, owner, group);
    assert.equal(latest.msgid, before.msgid, 'nothing stored');
    const bad = await sendMentioning(ownerSocket, ownerToken, 'x', ['not-a-uid']);
    assert.equal(bad.error?.code, 'invalid_input');
  });

  test('@all: the group owner may, a plain member may not; it counts for every member', async () => {
    const refused = await sendMentioning(memberSocket, memberToken, '@all hi', ['all']);
    assert.equal(refused.error?.code, 'forbidden', JSON.stringify(refused));
    const before = await attentionOf(url, member.token, group);
    const ack = await sendMentioning(ownerSocket, ownerToken, '@all meeting', ['all', member.uid]);
    assert.ok(ack.msgid, JSON.stringify(ack));
    const [latest] = await history(url, member, group);
    assert.deepEqual(latest.mentions, ['all'], '"all" names everyone; nothing else is kept');
    const now = await attentionOf(url, member.token, group);
    assert.equal(now.unreadMentions, (before.unreadMentions ?? 0) + 1);
  });

  test('@all is refused in a private chat', async () => {
    const opened = await http(url, 'POST', '/api/sessions/private', { token: owner.token, body: { uid: member.uid } });
    const pair = opened.body.session.sessionid;
    const token = await sessionToken(url, owner, pair);
    const ack = await sendMentioning(ownerSocket, token, '@all', ['all']);
    assert.equal(ack.error?.code, 'forbidden');
    const ok = await sendMentioning(ownerSocket, token, '@Member', [member.uid]);
    assert.ok(ok.msgid);
  });

  test('GET /api/mentions lists the caller\'s mentions newest first, pages, and drops deleted ones', async () => {
    const res = await http(url, 'GET', '/api/mentions', { token: member.token });
    assert.equal(res.status, 200);
    const texts = res.body.results.map((r: any) => r.message.msg);
    assert.deepEqual(texts, ['@Member', '@all meeting', '@Member look']);
    assert.ok(res.body.results.every((r: any) => r.sessionid === r.message.sessionid));
    const first = await http(url, 'GET', '/api/mentions?limit=1', { token: member.token });
    assert.deepEqual(first.body.results.map((r: any) => r.message.msg), ['@Member']);
    const last = first.body.results[0].message;
    const next = await http(url, 'GET', `/api/mentions?limit=2&before=${last.time}&beforeId=${last.msgid}`, { token: member.token });
    assert.deepEqual(next.body.results.map((r: any) => r.message.msg), ['@all meeting', '@Member look']);
    // The owner is mentioned only through "all" (their own message), the stranger never.
    const strangers = await http(url, 'GET', '/api/mentions', { token: stranger.token });
    assert.deepEqual(strangers.body.results, []);
    // Deleted messages leave the view.
    await del(ownerSocket, ownerToken, res.body.results[2].message.msgid);
    const after = await http(url, 'GET', '/api/mentions', { token: member.token });
    assert.deepEqual(after.body.results.map((r: any) => r.message.msg), ['@Member', '@all meeting']);
    assert.equal((await http(url, 'GET', '/api/mentions?limit=500', { token: member.token })).status, 400);
    assert.equal((await http(url, 'GET', '/api/mentions')).status, 401);
  });
});
