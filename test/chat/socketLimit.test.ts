import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connectWithWelcome, registerUser, type TestSocket } from '../support/client';
import { startServer } from '../support/server';

/**
 * Issue 10, finding 10 (sockets per user): MAX_SOCKETS_PER_USER bounds one user's simultaneous
 * sockets across every process of the node; beyond it connect_error `too_many_connections`.
 */

const MAX = 3;

async function attempt(url: string, token: string): Promise<{ socket?: TestSocket; node?: string; error?: string }> {
  try {
    return await connectWithWelcome(url, token, ['websocket'], 10_000);
  } catch (err) {
    return { error: (err as Error).message };
  }
}

for (const workers of [1, 2]) {
  test(`WORKERS=${workers}: a user's sockets beyond MAX_SOCKETS_PER_USER are refused with too_many_connections`, { timeout: 120_000 }, async () => {
    const server = await startServer({ workers, env: { MAX_SOCKETS_PER_USER: String(MAX) } });
    const open: TestSocket[] = [];
    try {
      const user = await registerUser(server.url, 'Many');
      const nodes = new Set<string>();
      for (let i = 0; i < MAX; i++) {
        const r = await attempt(server.url, user.token);
        assert.ok(r.socket, `socket ${i + 1} of ${MAX} connects (${r.error})`);
        open.push(r.socket);
        nodes.add(r.node!);
      }
      if (workers === 2) assert.equal(nodes.size, 2, 'the sockets are spread over both workers');
      // Every further attempt is refused, whichever process it reaches.
      for (let i = 0; i < 4; i++) assert.equal((await attempt(server.url, user.token)).error, 'too_many_connections');

      // Someone else is not affected.
      const other = await registerUser(server.url, 'Other');
      const otherSocket = await attempt(server.url, other.token);
      assert.ok(otherSocket.socket, otherSocket.error);
      open.push(otherSocket.socket);

      // One closes: a place is free again.
      open.shift()!.close();
      let again: Awaited<ReturnType<typeof attempt>> = {};
      for (let i = 0; i < 20 && !again.socket; i++) {
        await new Promise((r) => setTimeout(r, 200));
        again = await attempt(server.url, user.token);
      }
      assert.ok(again.socket, `a socket connects once another closed (${again.error})`);
      open.push(again.socket);

      if (workers === 1) {
        // A burst at once on one process is bounded as well.
        const burstUser = await registerUser(server.url, 'Burst');
        const burst = await Promise.all(Array.from({ length: 8 }, () => attempt(server.url, burstUser.token)));
        for (const r of burst) if (r.socket) open.push(r.socket);
        assert.equal(burst.filter((r) => r.socket).length, MAX, JSON.stringify(burst.map((r) => r.error ?? 'connected')));
        assert.ok(burst.filter((r) => !r.socket).every((r) => r.error === 'too_many_connections'));
      }
    } finally {
      for (const s of open) s.close();
      await server.stop();
    }
  });
}
