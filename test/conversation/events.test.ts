import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  collect,
  connectSocket,
  createGroup,
  history,
  http,
  joinGroup,
  registerUser,
  sendText,
  sessionToken,
  type TestSocket,
  type TestUser,
} from '../support/client';
import { fetchBytes, md5, randomBytesOf, upload } from '../support/files';
import { startServer, type RunningServer } from '../support/server';
import { codeOf, del, edit, ok, pin, react, reply } from './conversationSteps';

let server: RunningServer;
before(async () => {
  server = await startServer({ env: { EDIT_RATE_PER_MINUTE: '5', REACTIONS_PER_MESSAGE: '5', REACTION_EMOJI_PER_MESSAGE: '3' } });
});
after(() => server.stop());

interface Member {
  user: TestUser;
  socket: TestSocket;
  token: string;
}

/** A group owned by the first user, joined by the others, each with a socket and a session token. */
async function groupOf(names: string[]): Promise<{ sessionid: string; members: Member[] }> {
  const users = await Promise.all(names.map((n) => registerUser(server.url, n)));
  const group = await createGroup(server.url, users[0]!, `G ${names.join(' ')}`);
  for (const u of users.slice(1)) await joinGroup(server.url, u, group.sessionid);
  const members = await Promise.all(
    users.map(async (user) => ({ user, socket: await connectSocket(server.url, user.token), token: await sessionToken(server.url, user, group.sessionid) })),
  );
  return { sessionid: group.sessionid, members };
}

const close = (members: Member[]) => members.forEach((m) => m.socket.close());
const inHistory = async (user: TestUser, sessionid: string, msgid: string) => (await history(server.url, user, sessionid)).find((m) => m.msgid === msgid);

test('edit: only the author, bounded, and every member sees the new text live', async () => {
  const { sessionid, members } = await groupOf(['Owner', 'Member']);
  const [a, b] = members as [Member, Member];
  const sent = await sendText(a.socket, a.token, 'first draft');
  const before = await inHistory(a.user, sessionid, sent.msgid);

  assert.equal(codeOf(await edit(b.socket, b.token, sent.msgid, 'not yours')), 'forbidden');
  assert.equal(codeOf(await edit(a.socket, a.token, sent.msgid, 'x'.repeat(16 * 1024 + 1))), 'too_large');
  assert.equal(codeOf(await edit(a.socket, a.token, sent.msgid, '   ')), 'invalid_input');
  assert.equal(codeOf(await edit(a.socket, a.token, 'f'.repeat(24), 'unknown')), 'not_found');
  assert.deepEqual(await inHistory(a.user, sessionid, sent.msgid), before, 'nothing changed by the refusals');

  const live = collect(b.socket, 'message:update', 1);
  const ack = ok(await edit(a.socket, a.token, sent.msgid, 'final text :smile:'));
  assert.equal(ack.msgid, sent.msgid);
  assert.equal(ack.seq, sent.seq + 1, 'the edit takes the next seq');
  const [update] = await live;
  assert.equal(update!.kind, 'edit');
  assert.equal(update!.seq, ack.seq);
  assert.equal(update!.msgid, sent.msgid);
  assert.equal(update!.uid, a.user.uid);
  assert.equal(update!.message!.msg, 'final text 😄');
  assert.equal(update!.message!.version, ack.seq);
  assert.ok(update!.message!.editedAt);
  const stored = await inHistory(b.user, sessionid, sent.msgid);
  assert.deepEqual(stored, update!.message, 'history returns the message in its current state');
  assert.equal(stored!.seq, sent.seq, 'the message keeps the seq it was created at');
  close(members);
});

test('edits are rate limited per user', async () => {
  const { members } = await groupOf(['Editor']);
  const [a] = members as [Member];
  const sent = await sendText(a.socket, a.token, 'v0');
  for (let i = 1; i <= 5; i++) ok(await edit(a.socket, a.token, sent.msgid, `v${i}`));
  assert.equal(codeOf(await edit(a.socket, a.token, sent.msgid, 'one too many')), 'rate_limited');
  close(members);
});

test('a non-member, or a message of another conversation, is refused', async () => {
  const { sessionid, members } = await groupOf(['Inside', 'Peer']);
  const [a, b] = members as [Member, Member];
  const other = await groupOf(['Outside']);
  const [x] = other.members as [Member];
  const theirs = await sendText(x.socket, x.token, 'elsewhere');
  const ours = await sendText(a.socket, a.token, 'here');

  // A message of another conversation, named with this conversation's token: unknown here.
  assert.equal(codeOf(await edit(a.socket, a.token, theirs.msgid, 'hijack')), 'not_found');
  assert.equal(codeOf(await react(b.socket, b.token, theirs.msgid, '👍')), 'not_found');
  assert.equal(codeOf(await del(a.socket, a.token, theirs.msgid)), 'not_found');
  assert.equal(codeOf(await pin(a.socket, a.token, theirs.msgid)), 'not_found');
  assert.equal(codeOf(await reply(b.socket, b.token, 'quoting elsewhere', theirs.msgid)), 'not_found');
  // The outsider cannot take a token for this conversation, and someone else's token is refused.
  assert.equal((await http(server.url, 'POST', `/api/sessions/${sessionid}/token`, { token: x.user.token })).status, 403);
  assert.equal(codeOf(await react(x.socket, a.token, ours.msgid, '👍')), 'forbidden');
  // Its own token names its own conversation: this message is not found there.
  assert.equal(codeOf(await react(x.socket, x.token, ours.msgid, '👍')), 'not_found');
  close([...members, ...other.members]);
});

test('replyTo: stored with the quoted message', async () => {
  const { sessionid, members } = await groupOf(['Asker', 'Answerer']);
  const [a, b] = members as [Member, Member];
  const question = await sendText(a.socket, a.token, 'what time is it?');
  const answer = ok(await reply(b.socket, b.token, 'noon', question.msgid));
  const stored = await inHistory(a.user, sessionid, answer.msgid);
  assert.deepEqual(stored.replyTo, { msgid: question.msgid, senduid: a.user.uid, nickname: a.user.user.nickname, excerpt: 'what time is it?' });
  assert.equal(codeOf(await reply(b.socket, b.token, 'to nothing', 'a'.repeat(24))), 'not_found');
  close(members);
});

test('reactions toggle, count per emoji, and are bounded', async () => {
  const { sessionid, members } = await groupOf(['R1', 'R2', 'R3']);
  const [a, b, c] = members as [Member, Member, Member];
  const sent = await sendText(a.socket, a.token, 'react to me');
  const first = ok(await react(b.socket, b.token, sent.msgid, '👍'));
  assert.equal(first.seq, sent.seq + 1);
  const again = ok(await react(b.socket, b.token, sent.msgid, ':+1:'));
  assert.equal(again.seq, first.seq, 'the same reaction again changes nothing and takes no seq');
  ok(await react(c.socket, c.token, sent.msgid, '👍'));
  let view = await inHistory(a.user, sessionid, sent.msgid);
  assert.deepEqual(view.reactions, [{ emoji: '👍', count: 2, uids: [b.user.uid, c.user.uid] }]);
  ok(await react(b.socket, b.token, sent.msgid, '👍', false));
  view = await inHistory(a.user, sessionid, sent.msgid);
  assert.deepEqual(view.reactions, [{ emoji: '👍', count: 1, uids: [c.user.uid] }]);

  assert.equal(codeOf(await react(b.socket, b.token, sent.msgid, 'ab')), 'invalid_input');
  assert.equal(codeOf(await react(b.socket, b.token, sent.msgid, '👍👍')), 'invalid_input');
  // At most 3 different emoji...
  ok(await react(b.socket, b.token, sent.msgid, '🎉'));
  ok(await react(b.socket, b.token, sent.msgid, '👍🏽'));
  assert.equal(codeOf(await react(b.socket, b.token, sent.msgid, '❤️')), 'too_many_reactions');
  // ...and at most 5 reactions in all.
  ok(await react(a.socket, a.token, sent.msgid, '🎉'));
  ok(await react(a.socket, a.token, sent.msgid, '👍'));
  assert.equal(codeOf(await react(c.socket, c.token, sent.msgid, '🎉')), 'too_many_reactions');
  view = await inHistory(a.user, sessionid, sent.msgid);
  assert.equal(view.reactions.reduce((n: number, r: { count: number }) => n + r.count, 0), 5);
  close(members);
});

test('pins: owners and admins of a group, both members of a private chat', async () => {
  const { sessionid, members } = await groupOf(['PinOwner', 'PinMember']);
  const [a, b] = members as [Member, Member];
  const sent = await sendText(b.socket, b.token, 'pin me');
  assert.equal(codeOf(await pin(b.socket, b.token, sent.msgid)), 'forbidden');
  const live = collect(b.socket, 'message:update', 1);
  ok(await pin(a.socket, a.token, sent.msgid));
  assert.equal((await live)[0]!.message!.pinned, true);
  assert.equal((await inHistory(b.user, sessionid, sent.msgid)).pinned, true);
  ok(await pin(a.socket, a.token, sent.msgid, false));
  assert.equal((await inHistory(b.user, sessionid, sent.msgid)).pinned, undefined);

  const priv = (await http(server.url, 'POST', '/api/sessions/private', { token: b.user.token, body: { uid: a.user.uid } })).body.session;
  const [bToken, aToken] = await Promise.all([sessionToken(server.url, b.user, priv.sessionid), sessionToken(server.url, a.user, priv.sessionid)]);
  const mine = await sendText(a.socket, aToken, 'private pin');
  ok(await pin(b.socket, bToken, mine.msgid));
  assert.equal((await inHistory(a.user, priv.sessionid, mine.msgid)).pinned, true);
  close(members);
});

test('delete: the author or a group owner; a tombstone stays; its file is unlinked', async () => {
  const { sessionid, members } = await groupOf(['DelOwner', 'DelAuthor', 'DelOther']);
  const [a, b, c] = members as [Member, Member, Member];
  const text = await sendText(b.socket, b.token, 'regrettable');
  ok(await react(c.socket, c.token, text.msgid, '👍'));
  assert.equal(codeOf(await del(c.socket, c.token, text.msgid)), 'forbidden', 'a plain member cannot delete another member\'s message');
  const live = collect(c.socket, 'message:update', 1, (u) => u.kind === 'delete');
  const ack = ok(await del(a.socket, a.token, text.msgid));
  const [update] = await live;
  assert.equal(update!.seq, ack.seq);
  const tomb = await inHistory(c.user, sessionid, text.msgid);
  assert.equal(tomb.deleted, true);
  assert.equal(tomb.msg, '');
  assert.deepEqual(tomb.reactions, []);
  assert.equal(tomb.fileinfo, undefined);
  assert.equal(tomb.version, ack.seq);
  assert.deepEqual(update!.message, tomb);
  assert.equal(codeOf(await edit(b.socket, b.token, text.msgid, 'too late')), 'not_found');
  assert.equal(codeOf(await react(c.socket, c.token, text.msgid, '👍')), 'not_found');

  // A file message, deleted by its author: other members can no longer fetch the file through it.
  const bytes = randomBytesOf(4096);
  const up = await upload(server.url, b.user.token, bytes, { name: 'notes.bin' });
  assert.equal(up.status, 201);
  const fileMsg = await emitFile(b, up.body.file.filemd5);
  const path = `/api/files/${up.body.file.fileid}`;
  assert.equal((await fetchBytes(server.url, path, { token: c.user.token })).status, 200, 'a member may fetch it while the message stands');
  ok(await del(b.socket, b.token, fileMsg.msgid));
  const fileTomb = await inHistory(c.user, sessionid, fileMsg.msgid);
  assert.equal(fileTomb.deleted, true);
  assert.equal(fileTomb.fileinfo, undefined);
  assert.equal((await fetchBytes(server.url, path, { token: c.user.token })).status, 403, 'no longer reachable by that message');
  assert.equal((await http(server.url, 'HEAD', `/api/files/by-md5/${md5(bytes)}`, { token: c.user.token })).status, 404);
  assert.equal((await fetchBytes(server.url, path, { token: b.user.token })).status, 200, 'the uploader keeps their own file');
  close(members);
});

async function emitFile(member: Member, filemd5: string): Promise<{ msgid: string; seq: number }> {
  const { randomUUID } = await import('node:crypto');
  return ok(
    await member.socket.timeout(10_000).emitWithAck('message:send', { sessionToken: member.token, msgtype: 4, msg: '', uuid: randomUUID(), filemd5 }),
  );
}
