import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { connectSocket, createGroup, http, registerUser, sendText, sessionToken } from '../support/client';
import { freshDataDir, startServer } from '../support/server';

/** Stops the development database too, so its journal replay is part of what is tested. */
async function stopDevMongo(dataDir: string): Promise<void> {
  if (process.env.MONGO_URL) return;
  let pid: number;
  try {
    pid = JSON.parse(readFileSync(path.join(dataDir, 'devmongo', 'server.json'), 'utf8')).pid;
  } catch {
    return;
  }
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 100; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the development database did not stop');
}

test('stopping the server and starting it again keeps accounts, sessions and history', async () => {
  const dataDir = freshDataDir();
  let server = await startServer({ dataDir });
  const a = await registerUser(server.url, 'Keeper');
  const group = await createGroup(server.url, a, 'Durable');
  const socket = await connectSocket(server.url, a.token);
  const token = await sessionToken(server.url, a, group.sessionid);
  const acks = [];
  for (let i = 0; i < 10; i++) acks.push(await sendText(socket, token, `durable ${i}`));
  socket.close();
  await server.stop();
  await stopDevMongo(dataDir);

  server = await startServer({ dataDir });
  try {
    const login = await http(server.url, 'POST', '/api/login', { body: { login: a.login, password: a.password } });
    assert.equal(login.status, 200);
    assert.equal((await http(server.url, 'GET', '/api/me', { token: a.token })).status, 200, 'tokens survive (same secret)');
    const sessions = (await http(server.url, 'GET', '/api/sessions', { token: login.body.token })).body.sessions;
    assert.deepEqual(sessions.map((s: { name: string }) => s.name), ['Durable']);
    assert.equal(sessions[0].lastSeq, 10);
    const history = (await http(server.url, 'GET', `/api/sessions/${group.sessionid}/messages`, { token: login.body.token })).body.messages;
    assert.deepEqual(history.map((m: { msgid: string }) => m.msgid), acks.map((x) => x.msgid).reverse());
    // Seqs continue where they stopped.
    const again = await connectSocket(server.url, login.body.token);
    const next = await sendText(again, await sessionToken(server.url, { ...a, token: login.body.token }, group.sessionid), 'after restart');
    assert.equal(next.seq, 11);
    again.close();
  } finally {
    await server.stop();
    await stopDevMongo(dataDir);
  }
});
