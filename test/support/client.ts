/** Real-HTTP and real-Socket.IO clients for integration tests. */
import { randomUUID } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../signaling/protocol/events';
import type { MessageView, SessionView, UserView } from '../../signaling/protocol/models';

export type TestSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface HttpResult<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export async function http<T = any>(
  baseUrl: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; rawBody?: string; contentType?: string; timeoutMs?: number } = {},
): Promise<HttpResult<T>> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.rawBody !== undefined) {
    body = options.rawBody;
    headers['content-type'] = options.contentType ?? 'application/json';
  } else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] = 'application/json';
  }
  let res: Response;
  let text: string;
  try {
    res = await fetch(`${baseUrl}${path}`, { method, headers, body, signal: AbortSignal.timeout(timeoutMs) });
    text = await res.text();
  } catch (err) {
    if ((err as Error).name === 'TimeoutError') throw new Error(`${method} ${path}: no answer within ${timeoutMs} ms`);
    throw err;
  }
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON */
  }
  return { status: res.status, body: parsed as T, headers: res.headers };
}

export interface TestUser {
  token: string;
  user: UserView;
  login: string;
  password: string;
  uid: string;
}

let counter = 0;

export async function registerUser(baseUrl: string, nickname?: string): Promise<TestUser> {
  const login = `user${Date.now().toString(36)}${(counter++).toString(36)}${randomUUID().slice(0, 4)}@example.test`;
  const password = 'correct horse battery';
  const res = await http(baseUrl, 'POST', '/api/users', { body: { login, nickname: nickname ?? `User ${counter}`, password } });
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { token: res.body.token, user: res.body.user, login, password, uid: res.body.user.uid };
}

export async function createGroup(baseUrl: string, user: TestUser, name = 'Group', extra: Record<string, unknown> = {}): Promise<SessionView> {
  const res = await http(baseUrl, 'POST', '/api/sessions', { token: user.token, body: { name, ...extra } });
  if (res.status !== 201) throw new Error(`create group failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.session;
}

export async function sessionToken(baseUrl: string, user: TestUser, sessionid: string): Promise<string> {
  const res = await http(baseUrl, 'POST', `/api/sessions/${sessionid}/token`, { token: user.token });
  if (res.status !== 200) throw new Error(`session token failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.sessionToken;
}

export function connectSocket(baseUrl: string, token: string, transports: string[] = ['websocket']): Promise<TestSocket> {
  return connectWithWelcome(baseUrl, token, transports).then(({ socket }) => socket);
}

/**
 * An error whose stack is `callSite`'s, for failures raised from a timer (whose own stack shows no
 * line of the test): `callSite` is created where the waiting began.
 */
export function errorAt(callSite: Error, message: string): Error {
  const err = new Error(message);
  err.stack = `Error: ${message}\n${(callSite.stack ?? '').split('\n').slice(1).join('\n')}`;
  return err;
}

/**
 * Connects and waits for the server's `welcome`, which names the node process serving the socket.
 * Rejects on connect_error, when the connection closes before the Socket.IO connect (the client does
 * not reconnect), and after `timeoutMs`.
 */
export function connectWithWelcome(
  baseUrl: string,
  token: string,
  transports: string[] = ['websocket'],
  timeoutMs = 20_000,
): Promise<{ socket: TestSocket; node: string }> {
  const callSite = new Error();
  const socket: TestSocket = io(baseUrl, { auth: { token }, transports, reconnection: false, forceNew: true });
  // Listen before connecting: the server sends `welcome` at once.
  const welcome = new Promise<string>((resolve) => socket.once('welcome', (w) => resolve(w.node)));
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.close();
      reject(err);
    };
    const timer = setTimeout(() => {
      const transport = socket.io.engine?.readyState === 'open' ? 'transport open, no Socket.IO connect or welcome' : 'transport not open';
      fail(errorAt(callSite, `socket to ${baseUrl} not connected within ${timeoutMs} ms (${transport})`));
    }, timeoutMs);
    const onClose = (reason: string) => fail(errorAt(callSite, `socket to ${baseUrl} closed before it connected (${reason})`));
    socket.once('disconnect', onClose);
    socket.once('connect_error', fail);
    socket.once('connect', () =>
      void welcome.then((node) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket.off('disconnect', onClose);
        resolve({ socket, node });
      }),
    );
  });
}

export function emitAck<E extends keyof ClientToServerEvents>(
  socket: TestSocket,
  event: E,
  payload: Parameters<ClientToServerEvents[E]>[0],
  timeoutMs = 10_000,
): Promise<any> {
  return (socket.timeout(timeoutMs) as any).emitWithAck(event, payload);
}

/** Resolves with the next `count` events of a kind (optionally filtered). */
export function collect<E extends keyof ServerToClientEvents>(
  socket: TestSocket,
  event: E,
  count: number,
  filter: (payload: Parameters<ServerToClientEvents[E]>[0]) => boolean = () => true,
  timeoutMs = 10_000,
): Promise<Parameters<ServerToClientEvents[E]>[0][]> {
  const callSite = new Error();
  return new Promise((resolve, reject) => {
    const got: Parameters<ServerToClientEvents[E]>[0][] = [];
    const timer = setTimeout(() => {
      (socket as any).off(event, on);
      reject(errorAt(callSite, `timed out waiting for ${count} ${String(event)} events (got ${got.length})`));
    }, timeoutMs);
    const on = (payload: any) => {
      if (!filter(payload)) return;
      got.push(payload);
      if (got.length === count) {
        clearTimeout(timer);
        (socket as any).off(event, on);
        resolve(got);
      }
    };
    (socket as any).on(event, on);
  });
}

/** An `{ error }` answer to a request. */
export class AckError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

/** emitAck that throws the `{ error }` answer (loosely typed: tests send wrong payloads on purpose). */
export async function request<T = any>(socket: TestSocket, event: string, payload: unknown, timeoutMs = 10_000): Promise<T> {
  const callSite = new Error();
  const res = await emitAck(socket, event as any, payload as any, timeoutMs).catch((err: Error) => {
    throw errorAt(callSite, `${event}: ${err.message}${err.message.includes('timed out') ? ` (no answer within ${timeoutMs} ms)` : ''}`);
  });
  if (res && typeof res === 'object' && 'error' in res) throw new AckError(res.error.code, res.error.message);
  return res as T;
}

export async function joinGroup(url: string, user: TestUser, sessionid: string): Promise<void> {
  const res = await http(url, 'POST', `/api/sessions/${sessionid}/join`, { token: user.token });
  if (res.status !== 200) throw new Error(`join failed: ${res.status} ${JSON.stringify(res.body)}`);
}

/** The latest 50 messages of a conversation, newest first. */
export async function history(url: string, user: TestUser, sessionid: string): Promise<any[]> {
  const res = await http(url, 'GET', `/api/sessions/${sessionid}/messages?limit=50`, { token: user.token });
  if (res.status !== 200) throw new Error(`history failed: ${res.status}`);
  return res.body.messages;
}

export async function sendText(socket: TestSocket, token: string, msg: string, uuid: string = randomUUID()): Promise<any> {
  return emitAck(socket, 'message:send', { sessionToken: token, msgtype: 0, msg, uuid });
}

export type { MessageView };
