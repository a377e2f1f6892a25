import type { AppContext } from '../../node/AppContext';
import { MessagePinPayload } from '../../protocol/schemas';
import type { EventHandler } from '../eventTable';
import { sessionOfToken } from './sessionOfToken';

/** message:pin (S24): members of a private chat, owners/admins of a group; ack `{ msgid, seq }` once stored. */
export function messagePinHandler({ tokens, conversationEvents }: Pick<AppContext, 'tokens' | 'conversationEvents'>): EventHandler<'message:pin'> {
  return {
    schema: MessagePinPayload,
    handle: (socket, { sessionToken, msgid, pinned }) => conversationEvents.pin(socket.data.uid, sessionOfToken(tokens, socket, sessionToken), msgid, pinned),
  };
}
