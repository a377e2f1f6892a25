import type { AppContext } from '../../node/AppContext';
import { MessageEditPayload } from '../../protocol/schemas';
import type { EventHandler } from '../eventTable';
import { sessionOfToken } from './sessionOfToken';

/** message:edit (S24): the author replaces a text or caption; ack `{ msgid, seq }` once stored. */
export function messageEditHandler({ tokens, conversationEvents, moderation }: Pick<AppContext, 'tokens' | 'conversationEvents' | 'moderation'>): EventHandler<'message:edit'> {
  return {
    schema: MessageEditPayload,
    async handle(socket, { sessionToken, msgid, msg }) {
      const sessionid = sessionOfToken(tokens, socket, sessionToken);
      // S26: edits are refused like sends (muted, or a block in a private chat).
      await moderation.mustBeAbleToWrite(sessionid, socket.data.uid);
      return conversationEvents.edit(socket.data.uid, sessionid, msgid, msg);
    },
  };
}
