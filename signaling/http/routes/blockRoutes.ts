import { Router } from 'express';
import type { AppContext } from '../../node/AppContext';
import { BlockBody } from '../../protocol/people';
import { IdParam } from '../../protocol/schemas';
import { currentUserId, requireUser } from '../requireUser';
import { validate } from '../validate';

export type BlockRouteDeps = Pick<AppContext, 'blockService' | 'tokens' | 'users'>;

/** Blocks (S26): the caller's list, blocking (which ends a friendship) and unblocking. */
export function blockRoutes(deps: BlockRouteDeps): Router {
  const { blockService } = deps;
  const router = Router();
  const auth = requireUser(deps);

  router.get('/blocks', auth, async (_req, res) => {
    res.json(await blockService.list(currentUserId(res)));
  });

  router.post('/blocks', auth, async (req, res) => {
    const { uid } = validate(BlockBody, req.body);
    res.json(await blockService.block(currentUserId(res), uid));
  });

  router.delete('/blocks/:uid', auth, async (req, res) => {
    res.json(await blockService.unblock(currentUserId(res), validate(IdParam, req.params.uid)));
  });

  return router;
}
