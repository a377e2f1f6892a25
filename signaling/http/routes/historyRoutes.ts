import { Router } from 'express';
import type { AppContext } from '../../node/AppContext';
import { HistoryQuery, IdParam } from '../../protocol/schemas';
import { messageUpdateView, messageView, sessionView } from '../../views';
import { currentUser, currentUserId } from '../requireUser';
import { validate } from '../validate';

export type HistoryRouteDeps = Pick<AppContext, 'sessionService' | 'messages' | 'conversationEvents' | 'tokens' | 'fileUrls'>;

/**
 * A member's access to a conversation's messages: the S15 step-3 session token (for sending over
 * the socket) and the history. Behind requireUser (mounted in createApp).
 */
export function historyRoutes({ sessionService, messages, conversationEvents, tokens, fileUrls }: HistoryRouteDeps): Router {
  const router = Router();

  router.post('/sessions/:id/token', async (req, res) => {
    const id = validate(IdParam, req.params.id);
    const user = currentUser(res);
    const uid = user._id.toHexString();
    const session = await sessionService.forMember(id, uid);
    const sessionToken = tokens.issueSession({ uid, tv: user.tokenVersion, sessionid: id });
    res.json({ sessionToken, session: sessionView(session, fileUrls) });
  });

  router.get('/sessions/:id/messages', async (req, res) => {
    const id = validate(IdParam, req.params.id);
    const { before, limit } = validate(HistoryQuery, req.query);
    await sessionService.forMember(id, currentUserId(res));
    // Each message in its current state (S24), also one whose last change a crash left unapplied.
    const page = await conversationEvents.current(await messages.history(id, limit, before));
    // The membership events among these messages (S24: shown in the chat); a short page reaches the start.
    const from = page.length < limit ? 0 : (page.at(-1)?.seq ?? 0);
    const members = await messages.memberEventsBetween(id, from, before);
    res.json({ messages: page.map((m) => messageView(m, fileUrls)), updates: members.map((e) => messageUpdateView(e, undefined)) });
  });

  return router;
}
