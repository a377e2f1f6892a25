/** Steps shared by the people tests (S26): REST calls as a user, and sockets that collect events. */
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { connectSocket, http, registerUser, type HttpResult, type TestSocket, type TestUser } from '../support/client';
import { startServer, type RunningServer } from '../support/server';

export type Call = (user: TestUser, method: string, path: string, body?: unknown) => Promise<HttpResult>;

export function caller(url: string): Call {
  return (user, method, path, body) => http(url, method, path, { token: user.token, body });
}

export async function users(url: string, ...names: string[]): Promise<TestUser[]> {
  return Promise.all(names.map((n) => registerUser(url, n)));
}

/** Asserts an error answer: its status and code. */
export function refused(res: HttpResult, status: number, code: string, what = ''): void {
  assert.equal(res.status, status, `${what} status (${JSON.stringify(res.body)})`);
  assert.equal(res.body?.error?.code, code, `${what} code`);
}

/** A socket that records every event of a kind, for "did it arrive / not arrive" checks. */
export async function recorder<T = any>(url: string, user: TestUser, event: string): Promise<{ socket: TestSocket; events: T[] }> {
  const socket = await connectSocket(url, user.token);
  const events: T[] = [];
  (socket as any).on(event, (payload: T) => events.push(payload));
  return { socket, events };
}

/** Starts one server for the file and stops it (and the given sockets) after; ready gets its url. */
export function usePeopleServer(sockets: TestSocket[], ready: (url: string) => void): void {
  let server: RunningServer;
  before(async () => {
    // Many users register from one address.
    server = await startServer({ env: { AUTH_RATE_PER_MINUTE: '1000' } });
    ready(server.url);
  });
  after(async () => {
    for (const s of sockets) s.close();
    await server.stop();
  });
}
