import type { AppContext } from '../../node/AppContext';
import { MessageEditPayload } from '../../protocol/schemas';
import type { EventHandler } from '../eventTable';
import { sessionOfToken } from './sessionOfToken';

/** message:edit (S24): the author replaces a text or caption; ack `{ msgid, seq }` once stored. */
export function messageEditHandler({ tokens, conversationEvents }: Pick<AppContext, 'tokens' | 'conversationEvents'>): EventHandler<'message:edit'> {
  return {
    schema: MessageEditPayload,
    handle: (socket, { sessionToken, msgid, msg }) => conversationEvents.edit(socket.data.uid, sessionOfToken(tokens, socket, sessionToken), msgid, msg),
  };
}
