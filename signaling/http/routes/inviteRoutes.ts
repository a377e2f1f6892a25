import { Router } from 'express';
import type { AppContext } from '../../node/AppContext';
import { CreateInviteBody, InviteCodeParam } from '../../protocol/people';
import { IdParam } from '../../protocol/schemas';
import { currentUserId, requireUser } from '../requireUser';
import { validate } from '../validate';

export type InviteRouteDeps = Pick<AppContext, 'inviteService' | 'tokens' | 'users'>;

/**
 * Invite links (S26): owners and admins make, list and revoke a group's links (under /sessions,
 * behind requireUser from createApp); anyone signed in previews a link and joins through it.
 */
export function inviteRoutes(deps: InviteRouteDeps): Router {
  const { inviteService } = deps;
  const router = Router();
  const auth = requireUser(deps);

  router.post('/sessions/:id/invites', async (req, res) => {
    const id = validate(IdParam, req.params.id);
    const { expiresIn } = validate(CreateInviteBody, req.body ?? {});
    res.status(201).json(await inviteService.create(id, currentUserId(res), expiresIn));
  });

  router.get('/sessions/:id/invites', async (req, res) => {
    const id = validate(IdParam, req.params.id);
    res.json({ invites: await inviteService.list(id, currentUserId(res)) });
  });

  router.delete('/sessions/:id/invites/:code', async (req, res) => {
    const id = validate(IdParam, req.params.id);
    await inviteService.revoke(id, currentUserId(res), validate(InviteCodeParam, req.params.code));
    res.status(204).end();
  });

  router.get('/invites/:code', auth, async (req, res) => {
    res.json(await inviteService.preview(validate(InviteCodeParam, req.params.code)));
  });

  router.post('/invites/:code/join', auth, async (req, res) => {
    res.json({ session: await inviteService.join(validate(InviteCodeParam, req.params.code), currentUserId(res)) });
  });

  return router;
}
