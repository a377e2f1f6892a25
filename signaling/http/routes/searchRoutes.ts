import { Router } from 'express';
import { MessageSearch } from '../../../storage/MessageSearch';
import type { AppContext } from '../../node/AppContext';
import { SearchQuery, type SearchAnswer } from '../../protocol/search';
import { RateLimiter } from '../../util/RateLimiter';
import { messageView } from '../../views';
import { rateLimitedFor } from '../ApiError';
import { currentUserId, requireUser } from '../requireUser';
import { validate } from '../validate';

export type SearchRouteDeps = Pick<AppContext, 'config' | 'db' | 'users' | 'tokens' | 'sessionService' | 'fileUrls'>;

/** GET /api/search: full-text search over the messages of the caller's conversations (issue 13). */
export function searchRoutes(deps: SearchRouteDeps): Router {
  const { config, db, sessionService, fileUrls } = deps;
  const router = Router();
  const auth = requireUser(deps);
  const search = new MessageSearch(db);
  const limiter = new RateLimiter(config.messageSearchPerMinute / 60, config.messageSearchPerMinute);

  router.get('/search', auth, async (req, res) => {
    const query = validate(SearchQuery, req.query);
    const uid = currentUserId(res);
    if (!limiter.take(uid)) rateLimitedFor(res, 60 / config.messageSearchPerMinute, 'too many searches; wait a moment');
    let sessionids: string[];
    if (query.sessionid) {
      // Not a member (or no such conversation): the same answer as reading its history.
      await sessionService.forMember(query.sessionid, uid);
      sessionids = [query.sessionid];
    } else {
      sessionids = await sessionService.joinedIds(uid);
    }
    const found = await search.search({
      text: query.q,
      sessionids,
      before: query.before,
      beforeId: query.before !== undefined ? query.beforeId : undefined,
      limit: query.limit,
    });
    const answer: SearchAnswer = { results: found.map((m) => ({ message: messageView(m, fileUrls), sessionid: m.sessionid })) };
    res.json(answer);
  });

  return router;
}
