import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
/** Shared set-up for the call tests: the mediasoup worker, a server with calls on, users and peers. */
import { ensureMediasoupWorker } from '../../standins/mediasoup/ensureMediasoupWorker.mjs';
import type { CallDebugInfo } from '../../signaling/calls/CallTypes';
import { connectWithWelcome, errorAt, http, registerUser, type TestSocket, type TestUser } from '../support/client';
import { freshDataDir, startServer, type RunningServer } from '../support/server';
import { livePeers, request } from './callPeer';

/** Builds (first time, minutes) or finds the cached worker, and hands it to the servers started after. */
export async function prepareMediasoup(): Promise<void> {
  process.env.MEDIASOUP_WORKER_BIN = await ensureMediasoupWorker({ log: (line) => process.stderr.write(`[mediasoup-worker] ${line}\n`) });
}

/** A random base for a WebRTC port block (tests may run beside other servers): 20000..39950, a multiple of 50. */
export function randomRtcPort(): number {
  return 20_000 + Math.floor(Math.random() * 400) * 50;
}

/** A server with the debug event on and a WebRTC port block of its own (RTC_PORT in `env` overrides it). */
export function startCallServer(workers = 1, env: Record<string, string> = {}, dataDir?: string): Promise<RunningServer> {
  const rtcPort = randomRtcPort();
  return startServer({ workers, dataDir, env: { COOKIM_CALL_DEBUG: '1', RTC_PORT: String(rtcPort), CALL_RING_TIMEOUT: '20', ...(process.env.CALL_TEST_SERVER_DEBUG ? { DEBUG: 'mediasoup*', MEDIASOUP_LOG_LEVEL: 'debug' } : {}), ...env } });
}

/**
 * Two nodes (one process each) on one DATA_DIR, so they share the development database, the
 * embedded Redis broker and the data folders; each has its own WebRTC port (and its own fallback
 * range, RTC_PORT+1000..+9999).
 */
export async function startTwoNodes(label: string, env: Record<string, string> = {}): Promise<[RunningServer, RunningServer]> {
  const dataDir = freshDataDir(label);
  const rtcPort = randomRtcPort();
  const node1 = await startCallServer(1, { MEDIA_WORKERS: '1', ...env, RTC_PORT: String(rtcPort) }, dataDir);
  const node2 = await startCallServer(1, { MEDIA_WORKERS: '1', ...env, RTC_PORT: String(rtcPort + 20) }, dataDir);
  return [node1, node2];
}

export async function debugInfo(socket: TestSocket): Promise<CallDebugInfo[]> {
  return (await request<{ processes: CallDebugInfo[] }>(socket, 'call:debug', {})).processes;
}

export async function joinGroup(url: string, user: TestUser, sessionid: string): Promise<void> {
  const res = await http(url, 'POST', `/api/sessions/${sessionid}/join`, { token: user.token });
  if (res.status !== 200) throw new Error(`join failed: ${res.status} ${JSON.stringify(res.body)}`);
}

export async function history(url: string, user: TestUser, sessionid: string): Promise<any[]> {
  const res = await http(url, 'GET', `/api/sessions/${sessionid}/messages?limit=50`, { token: user.token });
  if (res.status !== 200) throw new Error(`history failed: ${res.status}`);
  return res.body.messages;
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 20_000, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      // A probe that never settles must not outlast the deadline.
      const value = await within(`waiting for ${what} (a probe did not settle)`, Promise.resolve().then(probe), Math.max(deadline - Date.now(), everyMs));
      if (value) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `promise`, or an error naming the step when it has not settled within `ms`. */
export async function within<T>(what: string, promise: Promise<T>, ms: number): Promise<T> {
  const callSite = new Error();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(errorAt(callSite, `${what}: not done within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Closes the test's peers and sockets, drops every reference to them and collects the garbage while
 * the process still runs: @roamhq/wrtc crashes the process (SIGSEGV/abort in its finalizers) when
 * Node tears down the environment with its peer connections, sources and tracks still alive. The
 * callers keep no other references (peers live only in `open` and in test functions that returned).
 */
export async function closeAll(open: { close(): void }[]): Promise<void> {
  closeEach(open);
  await sleep(200);
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  for (let i = 0; i < 10 && (i < 3 || livePeers.size > 0); i++) {
    gc();
    await sleep(50);
  }
  if (livePeers.size > 0) process.stderr.write(`closeAll: CallPeers still referenced (the process may crash at exit): ${[...livePeers].join(', ')}\n`);
}

/**
 * Not inlined into closeAll: the loop variable would stay in closeAll's (suspended) frame and keep
 * the last closed item (a CallPeer, with its wrtc sources) alive through the collections.
 */
function closeEach(open: { close(): void }[]): void {
  for (const o of open.splice(0)) o.close();
}

export { connectWithWelcome, registerUser };
