import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { ObjectId } from 'mongodb';
import { after, before, test } from 'node:test';
import type { Database } from '../../storage/Database';
import { createGroup } from '../support/client';
import { serverDatabase } from '../support/files';
import { startServer, type RunningServer } from '../support/server';
import { caller, users, type Call } from './peopleSteps';

const DB_NAME = `cookim_legacy_${randomBytes(4).toString('hex')}`;
let server: RunningServer;
let url: string;
let call: Call;
let db: Database;

before(async () => {
  server = await startServer({ env: { MONGO_DB: DB_NAME, AUTH_RATE_PER_MINUTE: '1000' } });
  url = server.url;
  call = caller(url);
  db = await serverDatabase(server, DB_NAME);
});
after(async () => {
  await db?.close();
  await server.stop();
});

/** Turns a group into one stored before roles existed: no `roles` at all. */
const forgetRoles = (sessionid: string) => db.sessions.updateOne({ _id: new ObjectId(sessionid) }, { $unset: { roles: '' } });
const rolesOf = async (user: Parameters<Call>[0], sessionid: string) => (await call(user, 'GET', `/api/sessions/${sessionid}`)).body.session.roles;

test('a group stored before roles: its creator is the owner, and manages it', async () => {
  const [own, mem, x] = await users(url, 'Own', 'Mem', 'X');
  const { sessionid } = await createGroup(url, own, 'Old', { jointype: 1 });
  await call(own, 'POST', `/api/sessions/${sessionid}/members`, { uid: mem.uid });
  await forgetRoles(sessionid);
  assert.deepEqual(await rolesOf(mem, sessionid), { [own.uid]: 'owner' });
  assert.equal((await call(own, 'PATCH', `/api/sessions/${sessionid}/members/${mem.uid}`, { role: 'admin' })).status, 200);
  assert.equal((await call(mem, 'POST', `/api/sessions/${sessionid}/members`, { uid: x.uid })).status, 200, 'the new admin adds people');
  // The creator leaving hands the group over as any owner's leaving does.
  await call(own, 'POST', `/api/sessions/${sessionid}/leave`);
  assert.deepEqual(await rolesOf(mem, sessionid), { [mem.uid]: 'owner' });
});

test('an old group its creator had left: the longest-standing member owns it, and the creator coming back does not take it', async () => {
  const [own, first, second] = await users(url, 'Own', 'First', 'Second');
  const { sessionid } = await createGroup(url, own, 'Old open', { jointype: 0, visabletype: 1 });
  await call(first, 'POST', `/api/sessions/${sessionid}/join`);
  await call(second, 'POST', `/api/sessions/${sessionid}/join`);
  // As an old version left it: the creator gone, no roles stored.
  await db.sessions.updateOne({ _id: new ObjectId(sessionid) }, { $pull: { uids: own.uid }, $unset: { roles: '' } });
  assert.deepEqual(await rolesOf(second, sessionid), { [first.uid]: 'owner' });
  await call(own, 'POST', `/api/sessions/${sessionid}/join`);
  assert.deepEqual(await rolesOf(second, sessionid), { [first.uid]: 'owner' }, 'ownership stays put');
});
