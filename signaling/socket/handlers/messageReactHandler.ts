import type { AppContext } from '../../node/AppContext';
import { MessageReactPayload } from '../../protocol/schemas';
import type { EventHandler } from '../eventTable';
import { sessionOfToken } from './sessionOfToken';

/** message:react (S24): a member adds or removes their reaction; ack `{ msgid, seq }` once stored. */
export function messageReactHandler({ tokens, conversationEvents }: Pick<AppContext, 'tokens' | 'conversationEvents'>): EventHandler<'message:react'> {
  return {
    schema: MessageReactPayload,
    handle: (socket, { sessionToken, msgid, emoji, on }) =>
      conversationEvents.react(socket.data.uid, sessionOfToken(tokens, socket, sessionToken), msgid, emoji, on),
  };
}
