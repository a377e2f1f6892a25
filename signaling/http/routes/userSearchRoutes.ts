import { Router } from 'express';
import type { AppContext } from '../../node/AppContext';
import { UserSearchQuery } from '../../protocol/schemas';
import { RateLimiter } from '../../util/RateLimiter';
import { userView } from '../../views';
import { rateLimitedFor } from '../ApiError';
import { currentUserId, requireUser } from '../requireUser';
import { validate } from '../validate';

export type UserSearchRouteDeps = Pick<AppContext, 'config' | 'users' | 'tokens' | 'fileUrls'>;

/** GET /api/users?q=: finding people by nickname or exact email. */
export function userSearchRoutes(deps: UserSearchRouteDeps): Router {
  const { config, users, fileUrls } = deps;
  const router = Router();
  const auth = requireUser(deps);
  // An exact email finds its account (a product feature), so lookups are throttled against enumeration.
  const searchLimiter = new RateLimiter(config.userSearchPerMinute / 60, config.userSearchPerMinute);

  router.get('/users', auth, async (req, res) => {
    const { q } = validate(UserSearchQuery, req.query);
    const me = currentUserId(res);
    if (!searchLimiter.take(me)) rateLimitedFor(res, 60 / config.userSearchPerMinute, 'too many user searches; wait a moment');
    // Known or unknown, an email answers the same shape: `{ users }`, another user's login withheld.
    const found = await users.search(q);
    res.json({ users: found.map((u) => userView(u, u._id.toHexString() === me, fileUrls)) });
  });

  return router;
}
