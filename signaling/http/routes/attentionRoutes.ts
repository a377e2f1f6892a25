import { Router } from 'express';
import { MessageMentions } from '../../../storage/MessageMentions';
import type { AppContext } from '../../node/AppContext';
import { MentionsQuery, SessionSettingsBody, type MentionsAnswer } from '../../protocol/attention';
import { IdParam } from '../../protocol/schemas';
import { messageView } from '../../views';
import { currentUserId, requireUser } from '../requireUser';
import { validate } from '../validate';

export type AttentionRouteDeps = Pick<AppContext, 'db' | 'users' | 'tokens' | 'sessionService' | 'fileUrls' | 'readState' | 'conversationMute'>;

/**
 * Issue 13's REST side: the Mentions view, the other members' read positions (read receipts for a
 * client that (re)loads) and per-conversation mute. The `/sessions` paths sit behind requireUser
 * (createApp); `/mentions` checks the user itself.
 */
export function attentionRoutes(deps: AttentionRouteDeps): Router {
  const { db, sessionService, fileUrls, readState, conversationMute } = deps;
  const router = Router();
  const auth = requireUser(deps);
  const mentions = new MessageMentions(db);

  router.get('/mentions', auth, async (req, res) => {
    const query = validate(MentionsQuery, req.query);
    const uid = currentUserId(res);
    const found = await mentions.list({
      uid,
      sessionids: await sessionService.joinedIds(uid),
      before: query.before,
      beforeId: query.before !== undefined ? query.beforeId : undefined,
      limit: query.limit,
    });
    const answer: MentionsAnswer = { results: found.map((m) => ({ message: messageView(m, fileUrls), sessionid: m.sessionid })) };
    res.json(answer);
  });

  router.get('/sessions/:id/reads', async (req, res) => {
    const id = validate(IdParam, req.params.id);
    res.json(await readState.reads(id, currentUserId(res)));
  });

  router.patch('/sessions/:id/settings', async (req, res) => {
    const id = validate(IdParam, req.params.id);
    const body = validate(SessionSettingsBody, req.body);
    res.json(await conversationMute.set(id, currentUserId(res), body));
  });

  return router;
}
