import { Router } from 'express';
import type { AppContext } from '../../node/AppContext';
import { CreateGroupBody, CreatePrivateBody, IdParam, ListSessionsQuery, PublicSessionsQuery, UpdateSessionBody } from '../../protocol/schemas';
import { InvalidRequestError } from '../../errors/DomainError';
import { avatarFileId } from '../../files/FileService';
import { RateLimiter } from '../../util/RateLimiter';
import { rateLimitedFor } from '../ApiError';
import { currentUser, currentUserId } from '../requireUser';
import { validate } from '../validate';

export type SessionRouteDeps = Pick<AppContext, 'sessionService' | 'config' | 'readState' | 'uploads'>;

/**
 * Conversations (S16): listing, creating groups, opening private chats, details and settings.
 * Every `/sessions` path is behind requireUser (mounted once in createApp).
 */
export function sessionRoutes({ sessionService, config, readState, uploads }: SessionRouteDeps): Router {
  const router = Router();
  const perHour = config.groupsPerHour;
  const groupLimiter = new RateLimiter(perHour / 3600, perHour);

  router.get('/sessions/public', async (req, res) => {
    const { limit, before } = validate(PublicSessionsQuery, req.query);
    res.json({ sessions: await sessionService.listPublic(limit, before) });
  });

  router.get('/sessions', async (req, res) => {
    const { type } = validate(ListSessionsQuery, req.query);
    const uid = currentUserId(res);
    // Issue 13: each carries the caller's readSeq, unread, unreadMentions and mute.
    res.json({ sessions: await readState.annotate(uid, await sessionService.listJoined(uid, type)) });
  });

  router.post('/sessions', async (req, res) => {
    const body = validate(CreateGroupBody, req.body);
    const uid = currentUserId(res);
    if (!groupLimiter.take(uid)) rateLimitedFor(res, 3600 / perHour, `you may create ${perHour} groups an hour; try again later`);
    res.status(201).json({ session: await sessionService.createGroup(uid, body) });
  });

  router.post('/sessions/private', async (req, res) => {
    const { uid } = validate(CreatePrivateBody, req.body);
    res.json({ session: await sessionService.openPrivate(currentUser(res), uid) });
  });

  router.get('/sessions/:id', async (req, res) => {
    const id = validate(IdParam, req.params.id);
    res.json(await sessionService.details(id, currentUserId(res)));
  });

  router.patch('/sessions/:id', async (req, res) => {
    const id = validate(IdParam, req.params.id);
    const body = validate(UpdateSessionBody, req.body);
    const uid = currentUserId(res);
    if (body.avatar) {
      // S26: a group picture is an image the editor uploaded, cut like a user's avatar.
      const fileid = avatarFileId(body.avatar);
      if (!fileid) throw new InvalidRequestError('avatar: the fileid of an image you uploaded (or "" for none)');
      await sessionService.mustBeAbleToChangeSettings(id, uid);
      body.avatar = await uploads.makeAvatar(fileid, uid);
    }
    res.json({ session: await sessionService.updateSettings(id, uid, body) });
  });

  return router;
}
