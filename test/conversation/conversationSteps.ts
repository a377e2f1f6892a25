/** Steps shared by the conversation-event tests (S24): requests that answer `{ error }` as a code. */
import { randomUUID } from 'node:crypto';
import { emitAck, type TestSocket } from '../support/client';

/** The error code of an `{ error }` answer, or null when the request succeeded. */
export function codeOf(answer: unknown): string | null {
  return answer && typeof answer === 'object' && 'error' in answer ? (answer as { error: { code: string } }).error.code : null;
}

export const edit = (s: TestSocket, sessionToken: string, msgid: string, msg: string) => emitAck(s, 'message:edit', { sessionToken, msgid, msg });
export const del = (s: TestSocket, sessionToken: string, msgid: string) => emitAck(s, 'message:delete', { sessionToken, msgid });
export const react = (s: TestSocket, sessionToken: string, msgid: string, emoji: string, on = true) =>
  emitAck(s, 'message:react', { sessionToken, msgid, emoji, on });
export const pin = (s: TestSocket, sessionToken: string, msgid: string, pinned = true) => emitAck(s, 'message:pin', { sessionToken, msgid, pinned });
export const reply = (s: TestSocket, sessionToken: string, msg: string, replyTo: string) =>
  emitAck(s, 'message:send', { sessionToken, msgtype: 0, msg, uuid: randomUUID(), replyTo });

/** Throws unless the answer succeeded; answers it. */
export function ok<T extends { seq: number }>(answer: T | { error: { code: string; message: string } }): T {
  if (codeOf(answer)) throw new Error(`expected success, got ${JSON.stringify(answer)}`);
  return answer as T;
}
