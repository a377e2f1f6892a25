/**
 * One call server for a whole test file (startCallServer on one node, the mediasoup worker made
 * ready first), and the sockets and peers its tests open: closed after the tests, before the
 * server stops. The one-node sibling of twoNodesForFile (calls.ts).
 */
import { after, before } from 'node:test';
import { startCallServer } from './calls';
import { connectSocket, type TestSocket } from './client';
import { closeAll, prepareMediasoup } from './media';
import type { RunningServer } from './server';

export interface CallServerFile {
  /** The running server: there from the file's `before` on. */
  readonly server: RunningServer;
  /** What the tests open (peers, sockets), closed after them. */
  readonly open: { close(): void }[];
  /** A socket signed in with `token`, closed after the tests. */
  connect(token: string): Promise<TestSocket>;
}

/** Starts a call server with `env` before the file's tests and stops it after them. */
export function callServerForFile(env: Record<string, string> = {}): CallServerFile {
  let running: RunningServer | undefined;
  const open: { close(): void }[] = [];
  before(
    async () => {
      await prepareMediasoup();
      running = await startCallServer(1, env);
    },
    { timeout: 15 * 60_000 },
  );
  after(async () => {
    await closeAll(open);
    await running?.stop();
  });
  const server = (): RunningServer => {
    if (!running) throw new Error('the call server starts in the test file\'s before()');
    return running;
  };
  return {
    get server() {
      return server();
    },
    open,
    async connect(token) {
      const socket = await connectSocket(server().url, token);
      open.push(socket);
      return socket;
    },
  };
}
