import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { connectSocket, createGroup, emitAck, registerUser, sendText, sessionToken, type TestSocket } from '../support/client';
import { startServer, type RunningServer } from '../support/server';

/**
 * Issue 10, finding 12: Socket.IO frames up to SOCKET_MAX_FRAME_BYTES are read and an event larger
 * than it may be is answered `too_large` on a connection that stays up; beyond the frame limit
 * engine.io closes the connection (README).
 */

let server: RunningServer;
before(async () => {
  server = await startServer({ env: { SOCKET_MAX_FRAME_BYTES: String(512 * 1024) } });
});
after(() => server.stop());

async function chat(transports: string[]): Promise<{ socket: TestSocket; token: string }> {
  const user = await registerUser(server.url, 'Framer');
  const group = await createGroup(server.url, user, 'Frames');
  const socket = await connectSocket(server.url, user.token, transports);
  return { socket, token: await sessionToken(server.url, user, group.sessionid) };
}

for (const transports of [['websocket'], ['polling']]) {
  test(`${transports[0]}: a 200 KB event is answered too_large and the connection stays up`, async () => {
    const { socket, token } = await chat(transports);
    try {
      const big = await emitAck(socket, 'message:send', { sessionToken: token, msgtype: 0, msg: 'x'.repeat(200 * 1024), uuid: 'big-1' });
      assert.equal(big.error?.code, 'too_large', JSON.stringify(big));
      // Any event, with or without a handler of its own.
      const typing = await emitAck(socket, 'typing', { sessionid: 'y'.repeat(300 * 1024) } as never);
      assert.equal(typing.error?.code, 'too_large', JSON.stringify(typing));
      // Within the frame but over the message limit: the handler's own too_large.
      const over = await emitAck(socket, 'message:send', { sessionToken: token, msgtype: 0, msg: 'z'.repeat(20 * 1024), uuid: 'over-1' });
      assert.equal(over.error?.code, 'too_large', JSON.stringify(over));
      assert.ok(socket.connected, 'still connected');
      const ok = await sendText(socket, token, 'still here');
      assert.ok(ok.msgid, JSON.stringify(ok));
    } finally {
      socket.close();
    }
  });
}

test('a frame beyond SOCKET_MAX_FRAME_BYTES closes the connection (engine.io), as the README says', async () => {
  const { socket, token } = await chat(['websocket']);
  try {
    const closed = new Promise<string>((resolve) => socket.once('disconnect', (reason) => resolve(reason)));
    socket.emit('message:send', { sessionToken: token, msgtype: 0, msg: 'x'.repeat(600 * 1024), uuid: 'huge-1' }, () => undefined);
    assert.match(await closed, /transport (close|error)/);
  } finally {
    socket.close();
  }
});
