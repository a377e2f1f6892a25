/**
 * The message changes a user makes (S24): edit, delete, react, pin. Each goes out over the socket
 * with the conversation's session token and is acknowledged once stored; the new state arrives
 * like everyone else's, as `message:update` (stores/incoming.ts), so all devices show the same.
 */
import type { MessageChangeResult } from '@protocol';
import { RequestError, socketRequest } from '@/lib/socketRequest';
import { connection } from './connection';
import { sessionTokens } from './sessionTokens';

type Change =
  | { event: 'message:edit'; msgid: string; msg: string }
  | { event: 'message:delete'; msgid: string }
  | { event: 'message:react'; msgid: string; emoji: string; on: boolean }
  | { event: 'message:pin'; msgid: string; pinned: boolean };

function emit(change: Change, sessionToken: string): Promise<MessageChangeResult> {
  const socket = connection.socket;
  switch (change.event) {
    case 'message:edit':
      return socketRequest(socket, change.event, { sessionToken, msgid: change.msgid, msg: change.msg });
    case 'message:delete':
      return socketRequest(socket, change.event, { sessionToken, msgid: change.msgid });
    case 'message:react':
      return socketRequest(socket, change.event, { sessionToken, msgid: change.msgid, emoji: change.emoji, on: change.on });
    case 'message:pin':
      return socketRequest(socket, change.event, { sessionToken, msgid: change.msgid, pinned: change.pinned });
  }
}

async function request(sessionid: string, change: Change): Promise<MessageChangeResult> {
  try {
    return await emit(change, await sessionTokens.get(sessionid));
  } catch (error) {
    // a session token that expired since it was cached: once more with a fresh one
    if (!(error instanceof RequestError) || !error.code.startsWith('token_')) throw error;
    return emit(change, await sessionTokens.get(sessionid, true));
  }
}

export const messageChanges = {
  edit: (sessionid: string, msgid: string, msg: string) => request(sessionid, { event: 'message:edit', msgid, msg }),
  remove: (sessionid: string, msgid: string) => request(sessionid, { event: 'message:delete', msgid }),
  react: (sessionid: string, msgid: string, emoji: string, on: boolean) => request(sessionid, { event: 'message:react', msgid, emoji, on }),
  pin: (sessionid: string, msgid: string, pinned: boolean) => request(sessionid, { event: 'message:pin', msgid, pinned }),
};
