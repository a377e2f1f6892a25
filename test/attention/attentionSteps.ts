/** Steps shared by the attention tests (issue 13). */
import { randomUUID } from 'node:crypto';
import { after, before } from 'node:test';
import type { SessionView } from '../../signaling/protocol/models';
import { emitAck, http, type TestSocket, type TestUser } from '../support/client';
import { startServer, type RunningServer } from '../support/server';

/** The caller's conversations as GET /api/sessions lists them, by sessionid. */
export async function sessionsOf(url: string, token: string): Promise<Map<string, SessionView>> {
  const res = await http(url, 'GET', '/api/sessions', { token });
  if (res.status !== 200) throw new Error(`GET /api/sessions: ${res.status} ${JSON.stringify(res.body)}`);
  return new Map((res.body.sessions as SessionView[]).map((s) => [s.sessionid, s]));
}

/** The caller's read state of one conversation. */
export async function attentionOf(url: string, token: string, sessionid: string): Promise<Pick<SessionView, 'readSeq' | 'unread' | 'unreadMentions' | 'muted' | 'mutedUntil'>> {
  const s = (await sessionsOf(url, token)).get(sessionid);
  if (!s) throw new Error(`${sessionid} is not listed`);
  return { readSeq: s.readSeq, unread: s.unread, unreadMentions: s.unreadMentions, muted: s.muted, ...(s.mutedUntil !== undefined ? { mutedUntil: s.mutedUntil } : {}) };
}

/** A second sign-in of the same user (another device): a fresh token. */
export async function signInAgain(url: string, user: TestUser): Promise<string> {
  const res = await http(url, 'POST', '/api/login', { body: { login: user.login, password: user.password } });
  if (res.status !== 200) throw new Error(`login: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.token;
}

/** message:send with mentions; answers the raw ack. */
export function sendMentioning(socket: TestSocket, sessionToken: string, msg: string, mentions: string[]): Promise<any> {
  return emitAck(socket, 'message:send', { sessionToken, msgtype: 0, msg, uuid: randomUUID(), mentions });
}

export function readSet(socket: TestSocket, sessionid: string, seq: number): Promise<any> {
  return emitAck(socket, 'read:set', { sessionid, seq });
}

/**
 * Starts one server for the file with a message rate the tests do not hit, then runs setup;
 * after, closes the sockets it lists and stops the server.
 */
export function useAttentionServer(setup: (url: string) => Promise<void>, sockets: () => (TestSocket | undefined)[]): void {
  let server: RunningServer;
  before(async () => {
    server = await startServer({ env: { MESSAGE_RATE: '100' } });
    await setup(server.url);
  });
  after(async () => {
    for (const s of sockets()) s?.close();
    await server.stop();
  });
}
