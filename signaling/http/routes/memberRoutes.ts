import { Router } from 'express';
import type { AppContext } from '../../node/AppContext';
import { BanBody, UpdateMemberBody } from '../../protocol/people';
import { IdParam, InviteBody } from '../../protocol/schemas';
import { currentUserId } from '../requireUser';
import { validate } from '../validate';

export type MemberRouteDeps = Pick<AppContext, 'sessionService' | 'moderation'>;

/**
 * Membership (S16): joining, adding members, leaving; and moderation (S26): roles, mutes, kicks,
 * bans. Behind requireUser (mounted in createApp).
 */
export function memberRoutes({ sessionService, moderation }: MemberRouteDeps): Router {
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

  router.patch('/sessions/:id/members/:uid', async (req, res) => {
    const id = validate(IdParam, req.params.id);
    const change = validate(UpdateMemberBody, req.body);
    res.json({ session: await moderation.updateMember(id, currentUserId(res), validate(IdParam, req.params.uid), change) });
  });

  // Removing someone else is a kick; removing oneself is leaving, as POST /leave.
  router.delete('/sessions/:id/members/:uid', async (req, res) => {
    const id = validate(IdParam, req.params.id);
    const uid = validate(IdParam, req.params.uid);
    const me = currentUserId(res);
    if (uid === me) await sessionService.leave(id, me);
    else await moderation.kick(id, me, uid);
    res.status(204).end();
  });

  router.get('/sessions/:id/bans', async (req, res) => {
    const id = validate(IdParam, req.params.id);
    res.json({ bans: await moderation.bans(id, currentUserId(res)) });
  });

  router.post('/sessions/:id/bans', async (req, res) => {
    const id = validate(IdParam, req.params.id);
    const { uid } = validate(BanBody, req.body);
    res.json({ session: await moderation.ban(id, currentUserId(res), uid) });
  });

  router.delete('/sessions/:id/bans/:uid', async (req, res) => {
    const id = validate(IdParam, req.params.id);
    res.json({ session: await moderation.unban(id, currentUserId(res), validate(IdParam, req.params.uid)) });
  });

  return router;
}
