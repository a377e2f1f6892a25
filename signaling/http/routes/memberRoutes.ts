import { Router } from 'express';
import type { AppContext } from '../../node/AppContext';
import { IdParam, InviteBody } from '../../protocol/schemas';
import { currentUserId } from '../requireUser';
import { validate } from '../validate';

export type MemberRouteDeps = Pick<AppContext, 'sessionService'>;

/** Membership (S16): joining, adding members, leaving. Behind requireUser (mounted in createApp). */
export function memberRoutes({ sessionService }: MemberRouteDeps): Router {
  const router = Router();

  router.post('/sessions/:id/join', async (req, res) => {
    const id = validate(IdParam, req.params.id);
    res.json({ session: await sessionService.join(id, currentUserId(res)) });
  });

  router.post('/sessions/:id/members', async (req, res) => {
    const id = validate(IdParam, req.params.id);
    const { uid } = validate(InviteBody, req.body);
    res.json({ session: await sessionService.invite(id, currentUserId(res), uid) });
  });

  router.post('/sessions/:id/leave', async (req, res) => {
    const id = validate(IdParam, req.params.id);
    await sessionService.leave(id, currentUserId(res));
    res.status(204).end();
  });

  return router;
}
