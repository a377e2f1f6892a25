import type { AppContext } from '../../node/AppContext';
import { MessageDeletePayload } from '../../protocol/schemas';
import type { EventHandler } from '../eventTable';
import { sessionOfToken } from './sessionOfToken';

/** message:delete (S24): the author or a group owner/admin leaves a tombstone; ack `{ msgid, seq }` once stored. */
export function messageDeleteHandler({ tokens, conversationEvents }: Pick<AppContext, 'tokens' | 'conversationEvents'>): EventHandler<'message:delete'> {
  return {
    schema: MessageDeletePayload,
    handle: (socket, { sessionToken, msgid }) => conversationEvents.delete(socket.data.uid, sessionOfToken(tokens, socket, sessionToken), msgid),
  };
}
