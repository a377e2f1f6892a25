// A node whose ffmpeg does not run (FFMPEG_PATH wrong, package missing) still serves; going live
// answers a clear media_unavailable instead of starting a stream that cannot be played.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { connectWithWelcome, createGroup, http, registerUser, AckError, request } from '../support/client';
import type { RunningServer } from '../support/server';
import { prepareMediasoup } from '../support/media';
import { startCallServer } from '../support/calls';
import { waitFor } from '../support/wait';

let server: RunningServer;

before(
  async () => {
    await prepareMediasoup();
    server = await startCallServer(1, { FFMPEG_PATH: '/nonexistent/ffmpeg' });
  },
  { timeout: 15 * 60_000 },
);
after(async () => {
  await server?.stop();
});

test('without a working ffmpeg, live:create is refused as media_unavailable and nothing is listed', async () => {
  const user = await registerUser(server.url, 'No ffmpeg');
  const group = await createGroup(server.url, user, 'Quiet');
  const { socket } = await connectWithWelcome(server.url, user.token);
  try {
    const refused = await waitFor('the media pool to answer', async () => {
      try {
        await request(socket, 'live:create', { title: 'Nothing to see', sessionid: group.sessionid });
        return { code: 'created' };
      } catch (err) {
        const code = (err as AckError).code;
        // The media workers may still be starting: that answer is retryable too; wait for the real one.
        return (err as AckError).message.includes('ffmpeg') ? { code } : false;
      }
    }, 20_000);
    assert.equal(refused.code, 'media_unavailable');
    assert.deepEqual((await http(server.url, 'GET', '/api/live', { token: user.token })).body.streams, []);
    assert.equal((await http(server.url, 'GET', '/healthz')).status, 200);
  } finally {
    socket.close();
  }
});
