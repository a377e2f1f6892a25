import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, test } from 'node:test';
import { io } from 'socket.io-client';
import { connectWithWelcome, registerUser } from '../support/client';
import { startServer, type RunningServer } from '../support/server';

/**
 * Issue 10, finding 11 (Socket.IO Origin): only ALLOWED_ORIGINS and the node's own origin may open
 * Socket.IO sessions from a browser; CORS no longer reflects every Origin with credentials; clients
 * without an Origin (Node, bots) connect.
 */

const ALLOWED = 'http://chat.example.test';
let server: RunningServer;
before(async () => {
  server = await startServer({ env: { ALLOWED_ORIGINS: `${ALLOWED}, http://other.example.test/` } });
});
after(() => server.stop());

async function pollingHandshake(origin?: string): Promise<{ status: number; allowOrigin: string | null }> {
  const res = await fetch(`${server.url}/socket.io/?EIO=4&transport=polling`, { headers: origin ? { origin } : {} });
  await res.text();
  return { status: res.status, allowOrigin: res.headers.get('access-control-allow-origin') };
}

function websocketWithOrigin(token: string, origin: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = io(server.url, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { origin } });
    const done = (result: string) => {
      clearTimeout(timer);
      socket.close();
      resolve(result);
    };
    const timer = setTimeout(() => done('no answer'), 10_000);
    socket.once('connect', () => done('connected'));
    socket.once('connect_error', (err) => done(`refused: ${err.message}`));
  });
}

test('long-polling: an allowed origin and the same origin get a session and their own CORS origin; a foreign one is refused', async () => {
  const allowed = await pollingHandshake(ALLOWED);
  assert.equal(allowed.status, 200);
  assert.equal(allowed.allowOrigin, ALLOWED);
  assert.equal((await pollingHandshake('http://other.example.test')).status, 200, 'a second listed origin (given with a trailing slash)');
  const same = await pollingHandshake(server.url);
  assert.equal(same.status, 200);
  assert.equal(same.allowOrigin, server.url);

  for (const foreign of ['http://evil.example.test', 'null', 'http://chat.example.test.evil.test', `http://127.0.0.1:${server.port + 1}`]) {
    const res = await pollingHandshake(foreign);
    assert.equal(res.status, 403, `${foreign} is refused`);
    assert.notEqual(res.allowOrigin, foreign, `${foreign} is not reflected`);
  }
});

/** A handshake as it arrives through a proxy forwarding `Host: $host` (no port). */
function handshakeWithHost(host: string, origin: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${server.url}/socket.io/?EIO=4&transport=polling`, { headers: { host, origin } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

test("behind a proxy that drops the port from Host, the page's own origin is still the same origin", async () => {
  assert.equal(await handshakeWithHost('chat.local', 'https://chat.local:8443'), 200);
  assert.equal(await handshakeWithHost('chat.local', 'https://evil.local'), 403);
  assert.equal(await handshakeWithHost('chat.local:8080', 'http://chat.local:9090'), 403, 'with a port in Host, the port counts');
});

test('websocket: an allowed origin connects, a foreign origin is refused, a Node client without Origin connects', async () => {
  const user = await registerUser(server.url, 'Origins');
  assert.equal(await websocketWithOrigin(user.token, ALLOWED), 'connected');
  assert.equal(await websocketWithOrigin(user.token, server.url), 'connected');
  assert.match(await websocketWithOrigin(user.token, 'http://evil.example.test'), /^refused/);
  const { socket } = await connectWithWelcome(server.url, user.token);
  socket.close();
  const poller = await connectWithWelcome(server.url, user.token, ['polling']);
  poller.socket.close();
});
