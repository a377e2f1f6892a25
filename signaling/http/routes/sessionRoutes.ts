import { Router } from 'express';
import type { AppContext } from '../../node/AppContext';
import {
  CreateGroupBody,
  CreatePrivateBody,
  HistoryQuery,
  IdParam,
  InviteBody,
  ListSessionsQuery,
  PublicSessionsQuery,
  UpdateSessionBody,
} from '../../protocol/schemas';
import { NotMemberError } from '../../../storage/errors';
import { RateLimiter } from '../../util/RateLimiter';
import { rateLimitedFor } from '../ApiError';
import { memberView, messageView, sessionView, visiblePresence } from '../../views';
import { currentUser, requireUser } from '../requireUser';
import { validate } from '../validate';

/** The session operations of S16 and the S15 step-3 session token. */
export function sessionRoutes(ctx: AppContext): Router {
  const router = Router();
  router.use('/sessions', requireUser(ctx));
  const me = (res: Parameters<typeof currentUser>[0]) => currentUser(res)._id.toHexString();
  const perHour = ctx.config.groupsPerHour;
  const groupLimiter = new RateLimiter(perHour / 3600, perHour);

  router.get('/sessions/public', async (req, res) => {
    const { limit, before } = validate(PublicSessionsQuery, req.query);
    const sessions = await ctx.sessions.listPublic(limit, before);
    res.json({ sessions: sessions.map((s) => sessionView(s)) });
  });

  router.get('/sessions', async (req, res) => {
    const { type } = validate(ListSessionsQuery, req.query);
    const sessions = await ctx.sessions.listJoined(me(res), type);
    res.json({ sessions: sessions.map((s) => sessionView(s, ctx.fileUrls)) });
  });

  router.post('/sessions', async (req, res) => {
    const body = validate(CreateGroupBody, req.body);
    if (!groupLimiter.take(me(res))) {
      rateLimitedFor(res, 3600 / perHour, `you may create ${perHour} groups an hour; try again later`);
    }
    const session = await ctx.sessions.createGroup(me(res), body);
    const view = sessionView(session, ctx.fileUrls);
    ctx.fanout.memberAdded(me(res), view);
    res.status(201).json({ session: view });
  });

  router.post('/sessions/private', async (req, res) => {
    const { uid } = validate(CreatePrivateBody, req.body);
    const self = currentUser(res);
    const other = await ctx.users.get(uid);
    const { session } = await ctx.sessions.createPrivate(self._id.toHexString(), uid, `${self.nickname} & ${other.nickname}`);
    const view = sessionView(session, ctx.fileUrls);
    for (const member of session.uids) ctx.fanout.memberAdded(member, view);
    res.json({ session: view });
  });

  router.get('/sessions/:id', async (req, res) => {
    const id = validate(IdParam, req.params.id);
    const session = await ctx.sessions.get(id);
    const uid = me(res);
    // Public groups can be looked at before joining; everything else is for members only.
    const isPublicGroup = session.sessiontype === 1 && session.visabletype === 1;
    const isMember = session.uids.includes(uid);
    if (!isMember && !isPublicGroup) throw new NotMemberError();
    const [users, online] = await Promise.all([ctx.users.getMany(session.uids), ctx.presence.onlineAmong(session.uids)]);
    // An invisible member is listed exactly as an offline one (S10): nothing tells them apart.
    const members = users.map((u) => memberView(u, visiblePresence(u, online.has(u._id.toHexString()), id), ctx.fileUrls));
    res.json({ session: sessionView(session, isMember ? ctx.fileUrls : undefined), members });
  });

  router.patch('/sessions/:id', async (req, res) => {
    const id = validate(IdParam, req.params.id);
    const body = validate(UpdateSessionBody, req.body);
    const view = sessionView(await ctx.sessions.update(id, me(res), body), ctx.fileUrls);
    ctx.fanout.sessionUpdated(view);
    res.json({ session: view });
  });

  router.post('/sessions/:id/join', async (req, res) => {
    const id = validate(IdParam, req.params.id);
    const view = sessionView(await ctx.sessions.join(id, me(res)), ctx.fileUrls);
    ctx.fanout.memberAdded(me(res), view);
    res.json({ session: view });
  });

  router.post('/sessions/:id/members', async (req, res) => {
    const id = validate(IdParam, req.params.id);
    const { uid } = validate(InviteBody, req.body);
    await ctx.users.get(uid);
    const view = sessionView(await ctx.sessions.invite(id, me(res), uid), ctx.fileUrls);
    ctx.fanout.memberAdded(uid, view);
    res.json({ session: view });
  });

  router.post('/sessions/:id/leave', async (req, res) => {
    const id = validate(IdParam, req.params.id);
    const view = sessionView(await ctx.sessions.leave(id, me(res)), ctx.fileUrls);
    ctx.fanout.memberRemoved(me(res), view);
    res.status(204).end();
  });

  router.post('/sessions/:id/token', async (req, res) => {
    const id = validate(IdParam, req.params.id);
    const user = currentUser(res);
    const session = await ctx.sessions.getForMember(id, user._id.toHexString());
    const sessionToken = ctx.tokens.issueSession({ uid: user._id.toHexString(), tv: user.tokenVersion, sessionid: id });
    res.json({ sessionToken, session: sessionView(session, ctx.fileUrls) });
  });

  router.get('/sessions/:id/messages', async (req, res) => {
    const id = validate(IdParam, req.params.id);
    const { before, limit } = validate(HistoryQuery, req.query);
    await ctx.sessions.getForMember(id, me(res));
    const messages = await ctx.messages.history(id, limit, before);
    res.json({ messages: messages.map((m) => messageView(m, ctx.fileUrls)) });
  });

  return router;
}
