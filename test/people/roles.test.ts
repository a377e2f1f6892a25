import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import type { MessageUpdate } from '../../signaling/protocol/models';
import { collect, connectSocket, createGroup, emitAck, sendText, sessionToken, type TestSocket, type TestUser } from '../support/client';
import { fetchBytes, jpeg, upload } from '../support/files';
import { sleep } from '../support/wait';
import { caller, refused, usePeopleServer, users, type Call } from './peopleSteps';

let url: string;
let call: Call;
const sockets: TestSocket[] = [];

usePeopleServer(sockets, (u) => {
  url = u;
  call = caller(u);
});

async function socketOf(user: TestUser): Promise<TestSocket> {
  const socket = await connectSocket(url, user.token);
  sockets.push(socket);
  return socket;
}

/** A group of `owner` with the others added in order (so the order is their seniority). */
async function groupOf(owner: TestUser, members: TestUser[], extra: Record<string, unknown> = { jointype: 0 }): Promise<string> {
  const group = await createGroup(url, owner, 'Moderated', extra);
  for (const m of members) assert.equal((await call(owner, 'POST', `/api/sessions/${group.sessionid}/members`, { uid: m.uid })).status, 200);
  return group.sessionid;
}

const details = async (user: TestUser, sessionid: string) => (await call(user, 'GET', `/api/sessions/${sessionid}`)).body;
const patch = (actor: TestUser, sessionid: string, target: TestUser, body: unknown) => call(actor, 'PATCH', `/api/sessions/${sessionid}/members/${target.uid}`, body);

/** The membership events of a conversation, in seq order (through sync from the start). */
async function memberEvents(socket: TestSocket, sessionid: string): Promise<MessageUpdate[]> {
  const answer = await emitAck(socket, 'sync', { cursors: { [sessionid]: 0 } });
  return (answer.updates as MessageUpdate[]).filter((u) => u.sessionid === sessionid && u.kind === 'member');
}

describe('group roles (S26)', () => {
  test('the creator is owner; the owner makes admins; an admin cannot make an owner; a member cannot give roles', async () => {
    const [own, adm, mem] = await users(url, 'Own', 'Adm', 'Mem');
    const sid = await groupOf(own, [adm, mem]);
    assert.deepEqual((await details(own, sid)).session.roles, { [own.uid]: 'owner' });

    const made = await patch(own, sid, adm, { role: 'admin' });
    assert.equal(made.status, 200);
    assert.deepEqual(made.body.session.roles, { [own.uid]: 'owner', [adm.uid]: 'admin' });
    const members = (await details(mem, sid)).members as { uid: string; role?: string }[];
    assert.equal(members.find((m) => m.uid === adm.uid)?.role, 'admin');
    assert.equal(members.find((m) => m.uid === mem.uid)?.role, undefined);

    refused(await patch(adm, sid, mem, { role: 'owner' }), 403, 'forbidden', 'an admin making an owner');
    refused(await patch(adm, sid, mem, { role: 'admin' }), 403, 'forbidden', 'an admin making an admin');
    refused(await patch(mem, sid, mem, { role: 'admin' }), 403, 'forbidden', 'a member promoting themself');
    refused(await patch(own, sid, own, { role: 'member' }), 403, 'forbidden', 'the owner stepping down without a successor');
    refused(await patch(own, sid, mem, { role: 'king' }), 400, 'invalid_input');
    refused(await patch(own, sid, mem, {}), 400, 'invalid_input');
    assert.deepEqual((await details(own, sid)).session.roles, { [own.uid]: 'owner', [adm.uid]: 'admin' }, 'nothing changed');

    // Demoting: back to a plain member.
    assert.deepEqual((await patch(own, sid, adm, { role: 'member' })).body.session.roles, { [own.uid]: 'owner' });
  });

  test('handing the group over: the new owner rules, the old one is an admin; role changes are events and session:update', async () => {
    const [own, heir, mem] = await users(url, 'Own', 'Heir', 'Mem');
    const sid = await groupOf(own, [heir, mem]);
    const memSocket = await socketOf(mem);
    const update = collect(memSocket, 'session:update', 1, (e) => e.session.sessionid === sid && e.session.roles?.[heir.uid] === 'owner');
    const handed = await patch(own, sid, heir, { role: 'owner' });
    assert.equal(handed.status, 200);
    assert.deepEqual(handed.body.session.roles, { [own.uid]: 'admin', [heir.uid]: 'owner' });
    await update;
    refused(await patch(own, sid, mem, { role: 'admin' }), 403, 'forbidden', 'the old owner no longer gives roles');
    assert.equal((await patch(heir, sid, mem, { role: 'admin' })).status, 200);
    // The new owner may now kick the old one (an admin).
    assert.equal((await call(heir, 'DELETE', `/api/sessions/${sid}/members/${own.uid}`)).status, 204);

    const events = await memberEvents(memSocket, sid);
    const roleEvents = events.filter((e) => e.action === 'role').map((e) => e.uid);
    assert.deepEqual(roleEvents, [heir.uid, own.uid, mem.uid], 'each role change took a seq');
    assert.equal(events.at(-1)?.action, 'kick');
    const seqs = events.map((e) => e.seq);
    assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b));
  });
});

describe('kicks (S26)', () => {
  test('a plain member cannot kick; an admin kicks a member, who is told and can no longer write', async () => {
    const [own, adm, mem, other] = await users(url, 'Own', 'Adm', 'Mem', 'Other');
    const sid = await groupOf(own, [adm, mem, other]);
    await patch(own, sid, adm, { role: 'admin' });

    refused(await call(mem, 'DELETE', `/api/sessions/${sid}/members/${other.uid}`), 403, 'forbidden', 'a member kicking');
    refused(await call(adm, 'DELETE', `/api/sessions/${sid}/members/${own.uid}`), 403, 'forbidden', 'an admin kicking the owner');

    const memSocket = await socketOf(mem);
    const memToken = await sessionToken(url, mem, sid);
    const removed = collect(memSocket, 'session:removed', 1, (e) => e.sessionid === sid);
    assert.equal((await call(adm, 'DELETE', `/api/sessions/${sid}/members/${mem.uid}`)).status, 204);
    await removed;
    assert.ok(!(await details(own, sid)).session.uids.includes(mem.uid));
    // Out of the socket room: the old session token no longer writes.
    assert.equal((await sendText(memSocket, memToken, 'still here?')).error?.code, 'not_member');
    refused(await call(mem, 'GET', `/api/sessions/${sid}/messages`), 403, 'not_member');
    // A kick is not a ban: the group is open, so they may join again.
    assert.equal((await call(mem, 'POST', `/api/sessions/${sid}/join`)).status, 200);
  });

  test('an admin cannot kick another admin; the owner can; removing oneself is leaving', async () => {
    const [own, a1, a2] = await users(url, 'Own', 'A1', 'A2');
    const sid = await groupOf(own, [a1, a2]);
    await patch(own, sid, a1, { role: 'admin' });
    await patch(own, sid, a2, { role: 'admin' });
    refused(await call(a1, 'DELETE', `/api/sessions/${sid}/members/${a2.uid}`), 403, 'forbidden');
    assert.equal((await call(own, 'DELETE', `/api/sessions/${sid}/members/${a2.uid}`)).status, 204);
    assert.equal((await call(a1, 'DELETE', `/api/sessions/${sid}/members/${a1.uid}`)).status, 204, 'leaving through DELETE');
    assert.deepEqual((await details(own, sid)).session.uids, [own.uid]);
    const events = await memberEvents(await socketOf(own), sid);
    assert.deepEqual(events.slice(-2).map((e) => [e.uid, e.action]), [[a2.uid, 'kick'], [a1.uid, 'leave']]);
  });
});

describe('bans (S26)', () => {
  test('a banned user is removed and cannot rejoin a public group, be re-added, until unbanned', async () => {
    const [own, adm, bad] = await users(url, 'Own', 'Adm', 'Bad');
    const group = await createGroup(url, own, 'Public', { jointype: 0, visabletype: 1 });
    const sid = group.sessionid;
    await call(own, 'POST', `/api/sessions/${sid}/members`, { uid: adm.uid });
    await patch(own, sid, adm, { role: 'admin' });
    await call(bad, 'POST', `/api/sessions/${sid}/join`);

    const badSocket = await socketOf(bad);
    const removed = collect(badSocket, 'session:removed', 1, (e) => e.sessionid === sid);
    const banned = await call(adm, 'POST', `/api/sessions/${sid}/bans`, { uid: bad.uid });
    assert.equal(banned.status, 200);
    assert.ok(!banned.body.session.uids.includes(bad.uid));
    await removed;

    refused(await call(bad, 'POST', `/api/sessions/${sid}/join`), 403, 'banned', 'joining the public group');
    refused(await call(own, 'POST', `/api/sessions/${sid}/members`, { uid: bad.uid }), 403, 'banned', 'being added');
    const bans = (await call(adm, 'GET', `/api/sessions/${sid}/bans`)).body.bans as { uid: string }[];
    assert.deepEqual(bans.map((b) => b.uid), [bad.uid]);
    refused(await call(bad, 'GET', `/api/sessions/${sid}/bans`), 403, 'not_member', 'the ban list is for admins');

    assert.equal((await call(adm, 'DELETE', `/api/sessions/${sid}/bans/${bad.uid}`)).status, 200);
    assert.equal((await call(bad, 'POST', `/api/sessions/${sid}/join`)).status, 200, 'unbanned: may join again');
    const events = await memberEvents(badSocket, sid);
    assert.deepEqual(events.filter((e) => e.uid === bad.uid).map((e) => e.action), ['join', 'ban', 'join']);
  });

  test('a plain member cannot ban; an admin cannot ban an admin or the owner', async () => {
    const [own, adm, adm2, mem] = await users(url, 'Own', 'Adm', 'Adm2', 'Mem');
    const sid = await groupOf(own, [adm, adm2, mem]);
    await patch(own, sid, adm, { role: 'admin' });
    await patch(own, sid, adm2, { role: 'admin' });
    refused(await call(mem, 'POST', `/api/sessions/${sid}/bans`, { uid: adm.uid }), 403, 'forbidden');
    refused(await call(adm, 'POST', `/api/sessions/${sid}/bans`, { uid: adm2.uid }), 403, 'forbidden');
    refused(await call(adm, 'POST', `/api/sessions/${sid}/bans`, { uid: own.uid }), 403, 'forbidden');
  });
});

describe('mutes (S26)', () => {
  test('a muted member’s sends and edits are refused `muted` with until; reactions pass; the mute ends on time', async () => {
    const [own, mem] = await users(url, 'Own', 'Mem');
    const sid = await groupOf(own, [mem]);
    const [ownSocket, memSocket] = await Promise.all([socketOf(own), socketOf(mem)]);
    const [ownToken, memToken] = await Promise.all([sessionToken(url, own, sid), sessionToken(url, mem, sid)]);
    const mine = await sendText(memSocket, memToken, 'before the mute');
    const theirs = await sendText(ownSocket, ownToken, 'from the owner');

    const until = Date.now() + 2500;
    const muted = await patch(own, sid, mem, { mutedUntil: until });
    assert.equal(muted.status, 200);
    assert.equal(muted.body.session.mutes[mem.uid], until);
    assert.equal(((await details(own, sid)).members as { uid: string; mutedUntil?: number }[]).find((m) => m.uid === mem.uid)?.mutedUntil, until);

    const refusedSend = await emitAck(memSocket, 'message:send', { sessionToken: memToken, msgtype: 0, msg: 'let me speak', uuid: randomUUID() });
    assert.equal(refusedSend.error?.code, 'muted');
    assert.equal(refusedSend.error?.until, until);
    const refusedEdit = await emitAck(memSocket, 'message:edit', { sessionToken: memToken, msgid: mine.msgid, msg: 'edited' });
    assert.equal(refusedEdit.error?.code, 'muted');
    const reaction = await emitAck(memSocket, 'message:react', { sessionToken: memToken, msgid: theirs.msgid, emoji: '👍', on: true });
    assert.ok(reaction.seq, 'reactions stay open to a muted member');

    await sleep(Math.max(0, until - Date.now()) + 200);
    assert.ok((await sendText(memSocket, memToken, 'free again')).msgid, 'the mute ended by itself');

    // Lifting a mute early: null.
    await patch(own, sid, mem, { mutedUntil: Date.now() + 60_000 });
    assert.equal((await sendText(memSocket, memToken, 'x')).error?.code, 'muted');
    const lifted = await patch(own, sid, mem, { mutedUntil: null });
    assert.equal(lifted.body.session.mutes[mem.uid], undefined);
    assert.ok((await sendText(memSocket, memToken, 'unmuted')).msgid);
  });

  test('nobody mutes the owner; admins do not mute admins; members mute nobody', async () => {
    const [own, a1, a2, mem] = await users(url, 'Own', 'A1', 'A2', 'Mem');
    const sid = await groupOf(own, [a1, a2, mem]);
    await patch(own, sid, a1, { role: 'admin' });
    await patch(own, sid, a2, { role: 'admin' });
    const later = Date.now() + 60_000;
    refused(await patch(a1, sid, own, { mutedUntil: later }), 403, 'forbidden', 'muting the owner');
    refused(await patch(a1, sid, a2, { mutedUntil: later }), 403, 'forbidden', 'an admin muting an admin');
    refused(await patch(mem, sid, a1, { mutedUntil: later }), 403, 'forbidden', 'a member muting');
    assert.equal((await patch(a1, sid, mem, { mutedUntil: later })).status, 200, 'an admin mutes a member');
    assert.equal((await patch(own, sid, a2, { mutedUntil: later })).status, 200, 'the owner mutes an admin');
  });
});

describe('ownership inheritance and management rights (S26)', () => {
  test('the owner leaving: the longest-standing admin inherits, else the longest-standing member', async () => {
    const [own, first, adminLate, adminLater] = await users(url, 'Own', 'First', 'AdminLate', 'AdminLater');
    const sid = await groupOf(own, [first, adminLate, adminLater]);
    await patch(own, sid, adminLater, { role: 'admin' });
    await patch(own, sid, adminLate, { role: 'admin' });
    assert.equal((await call(own, 'POST', `/api/sessions/${sid}/leave`)).status, 204);
    const roles = (await details(first, sid)).session.roles;
    assert.equal(roles[adminLate.uid], 'owner', 'the admin who joined first, not the one made admin first');
    assert.equal(roles[adminLater.uid], 'admin');

    // No admins left: the longest-standing member inherits.
    const [boss, m1, m2] = await users(url, 'Boss', 'M1', 'M2');
    const sid2 = await groupOf(boss, [m1, m2]);
    const m2Socket = await socketOf(m2);
    await call(boss, 'POST', `/api/sessions/${sid2}/leave`);
    assert.deepEqual((await details(m2, sid2)).session.roles, { [m1.uid]: 'owner' });
    const events = await memberEvents(m2Socket, sid2);
    assert.deepEqual(events.slice(-2).map((e) => [e.uid, e.action]), [[boss.uid, 'leave'], [m1.uid, 'role']]);
    // The heir rules: they add members to the invitation-only settings they now may set.
    assert.equal((await call(m1, 'PATCH', `/api/sessions/${sid2}`, { name: 'Renamed by the heir' })).status, 200);
  });

  test('invitation-only: owners and admins add members, others are refused', async () => {
    const [own, adm, mem, x, y] = await users(url, 'Own', 'Adm', 'Mem', 'X', 'Y');
    const sid = await groupOf(own, [adm, mem], { jointype: 1 });
    await patch(own, sid, adm, { role: 'admin' });
    refused(await call(mem, 'POST', `/api/sessions/${sid}/members`, { uid: x.uid }), 403, 'forbidden');
    assert.equal((await call(adm, 'POST', `/api/sessions/${sid}/members`, { uid: x.uid })).status, 200);
    refused(await call(y, 'POST', `/api/sessions/${sid}/join`), 403, 'invitation_only');
  });

  test('owners and admins edit the group and delete others’ messages; members do not', async () => {
    const [own, adm, mem] = await users(url, 'Own', 'Adm', 'Mem');
    const sid = await groupOf(own, [adm, mem]);
    await patch(own, sid, adm, { role: 'admin' });
    assert.equal((await call(adm, 'PATCH', `/api/sessions/${sid}`, { name: 'Admin’s name' })).body.session.name, 'Admin’s name');
    refused(await call(mem, 'PATCH', `/api/sessions/${sid}`, { name: 'Mine' }), 403, 'forbidden');
    // The group picture: an image the admin uploaded; a member may not set one.
    const image = await upload(url, adm.token, await jpeg(64, 48));
    const pictured = await call(adm, 'PATCH', `/api/sessions/${sid}`, { avatar: image.body.file.fileid });
    assert.equal(pictured.status, 200);
    assert.match(pictured.body.session.avatar, new RegExp(`/api/files/${image.body.file.fileid}/avatar`));
    assert.equal((await fetchBytes(url, pictured.body.session.avatar, { token: mem.token })).status, 200);
    const memImage = await upload(url, mem.token, await jpeg(32, 32));
    refused(await call(mem, 'PATCH', `/api/sessions/${sid}`, { avatar: memImage.body.file.fileid }), 403, 'forbidden');
    assert.equal((await call(own, 'PATCH', `/api/sessions/${sid}`, { avatar: '' })).body.session.avatar, undefined, 'removed');

    const [admSocket, memSocket] = await Promise.all([socketOf(adm), socketOf(mem)]);
    const [admToken, memToken] = await Promise.all([sessionToken(url, adm, sid), sessionToken(url, mem, sid)]);
    const spam = await sendText(memSocket, memToken, 'spam');
    const adminMsg = await sendText(admSocket, admToken, 'rules');
    assert.equal((await emitAck(memSocket, 'message:delete', { sessionToken: memToken, msgid: adminMsg.msgid })).error?.code, 'forbidden');
    assert.ok((await emitAck(admSocket, 'message:delete', { sessionToken: admToken, msgid: spam.msgid })).seq, 'an admin deletes a member’s message');
  });
});
