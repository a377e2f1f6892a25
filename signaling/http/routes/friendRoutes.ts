import { Router } from 'express';
import type { AppContext } from '../../node/AppContext';
import { FriendRequestBody } from '../../protocol/people';
import { IdParam } from '../../protocol/schemas';
import { currentUserId, requireUser } from '../requireUser';
import { validate } from '../validate';

export type FriendRouteDeps = Pick<AppContext, 'friendService' | 'tokens' | 'users'>;

/**
 * Friends (S26): the lists, requests and their answers, removal. Every change answers
 * `{ uid, state }` (the caller's side) and is pushed to both users as `friends:update`.
 */
export function friendRoutes(deps: FriendRouteDeps): Router {
  const { friendService } = deps;
  const router = Router();
  const auth = requireUser(deps);

  router.get('/friends', auth, async (_req, res) => {
    res.json(await friendService.list(currentUserId(res)));
  });

  router.post('/friends/requests', auth, async (req, res) => {
    const { uid } = validate(FriendRequestBody, req.body);
    res.json(await friendService.request(currentUserId(res), uid));
  });

  router.post('/friends/requests/:uid/accept', auth, async (req, res) => {
    res.json(await friendService.accept(currentUserId(res), validate(IdParam, req.params.uid)));
  });

  router.post('/friends/requests/:uid/decline', auth, async (req, res) => {
    res.json(await friendService.decline(currentUserId(res), validate(IdParam, req.params.uid)));
  });

  router.delete('/friends/:uid', auth, async (req, res) => {
    res.json(await friendService.remove(currentUserId(res), validate(IdParam, req.params.uid)));
  });

  return router;
}
