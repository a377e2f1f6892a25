import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { connectSocket, createGroup, http, registerUser, sendText, sessionToken } from '../support/client';
import { startServer, type RunningServer } from '../support/server';

let server: RunningServer;
before(async () => {
  // Online records live 3 s: only the keepalive keeps a connected user online.
  server = await startServer({ env: { ONLINE_TTL: '3' } });
});
after(() => server.stop());

test('the keepalive keeps a connected user online well past the online TTL (S17)', async () => {
  const url = server.url;
  const a = await registerUser(url, 'Stayer');
  const b = await registerUser(url, 'Watcher');
  const group = await createGroup(url, a, 'Keepalive');
  await http(url, 'POST', `/api/sessions/${group.sessionid}/join`, { token: b.token });
  const socket = await connectSocket(url, a.token);
  await new Promise((r) => setTimeout(r, 7000));
  const members = (await http(url, 'GET', `/api/sessions/${group.sessionid}`, { token: b.token })).body.members;
  assert.equal(members.find((m: { uid: string }) => m.uid === a.uid).presence, 'online');
  const ack = await sendText(socket, await sessionToken(url, a, group.sessionid), 'still here');
  assert.ok(ack.msgid, JSON.stringify(ack));
  socket.close();
  // Without a socket the user is offline.
  await new Promise((r) => setTimeout(r, 500));
  const after = (await http(url, 'GET', `/api/sessions/${group.sessionid}`, { token: b.token })).body.members;
  assert.equal(after.find((m: { uid: string }) => m.uid === a.uid).presence, 'offline');
});
