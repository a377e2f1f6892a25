import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { collect, connectWithWelcome, createGroup, http, registerUser, sendText, sessionToken, type TestSocket } from '../support/client';
import { startServer, type RunningServer } from '../support/server';

let server: RunningServer;
before(async () => {
  server = await startServer({ workers: 2 });
});
after(() => server.stop());

test('two clients on different worker processes exchange messages (S21)', async () => {
  const url = server.url;
  const a = await registerUser(url, 'Left');
  const b = await registerUser(url, 'Right');
  const group = await createGroup(url, a, 'Across processes');
  await http(url, 'POST', `/api/sessions/${group.sessionid}/join`, { token: b.token });

  // Least-connection balancing spreads sockets over the workers; keep connecting B until it lands elsewhere.
  const left = await connectWithWelcome(url, a.token);
  const extra: TestSocket[] = [];
  let right = await connectWithWelcome(url, b.token);
  for (let i = 0; i < 10 && right.node === left.node; i++) {
    extra.push(right.socket);
    right = await connectWithWelcome(url, b.token);
  }
  assert.notEqual(right.node, left.node, 'the two clients are served by different processes');

  const toRight = collect(right.socket, 'message', 1, (m) => m.msg === 'from the left');
  await sendText(left.socket, await sessionToken(url, a, group.sessionid), 'from the left');
  assert.equal((await toRight)[0].nickname, 'Left');

  const toLeft = collect(left.socket, 'message', 1, (m) => m.msg === 'from the right');
  await sendText(right.socket, await sessionToken(url, b, group.sessionid), 'from the right');
  assert.equal((await toLeft)[0].senduid, b.uid);

  // Membership changes made on one process reach sockets on the other.
  const late = await registerUser(url, 'Late');
  const lateConn = await connectWithWelcome(url, late.token);
  await http(url, 'POST', `/api/sessions/${group.sessionid}/join`, { token: late.token });
  const toLate = collect(lateConn.socket, 'message', 1, (m) => m.msg === 'welcome late');
  await sendText(left.socket, await sessionToken(url, a, group.sessionid), 'welcome late');
  await toLate;

  for (const s of [left.socket, right.socket, lateConn.socket, ...extra]) s.close();
});

test('HTTP long-polling works behind the cluster (sticky sessions)', async () => {
  const url = server.url;
  const a = await registerUser(url, 'Poller');
  const group = await createGroup(url, a, 'Polling');
  const { socket } = await connectWithWelcome(url, a.token, ['polling']);
  const echo = collect(socket, 'message', 1, (m) => m.msg === 'over polling');
  const ack = await sendText(socket, await sessionToken(url, a, group.sessionid), 'over polling');
  assert.ok(ack.msgid);
  await echo;
  socket.close();
});

test('the port is taken: the next node takes the next free port (S2)', async () => {
  const second = await startServer({ port: server.port, workers: 1 });
  try {
    assert.notEqual(second.port, server.port);
    assert.ok(second.port > server.port && second.port < server.port + 100);
    assert.equal((await http(second.url, 'GET', '/healthz')).status, 200);
  } finally {
    await second.stop();
  }
});

test('/metrics merges every worker and /healthz answers', async () => {
  const health = await http(server.url, 'GET', '/healthz');
  assert.equal(health.status, 200);
  const metrics = await fetch(`${server.url}/metrics`);
  const text = await metrics.text();
  assert.equal(metrics.status, 200);
  assert.match(text, /cookim_messages_stored_total \d+/);
  assert.match(text, /cookim_store_batch_size_bucket/);
  assert.match(text, /cookim_connected_sockets/);
  const stored = Number(/cookim_messages_stored_total (\d+)/.exec(text)![1]);
  assert.ok(stored >= 4, `counts messages of both workers (${stored})`);
});
