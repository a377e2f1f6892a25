import { Router } from 'express';
import { burnPasswordCheck, hashPassword, verifyPassword } from '../../auth/passwords';
import type { AppContext } from '../../node/AppContext';
import { ErrorCode } from '../../protocol/errors';
import { ChangePasswordBody, IdParam, LoginBody, RegisterBody, UpdateMeBody, UserSearchQuery } from '../../protocol/schemas';
import { RateLimiter } from '../../util/RateLimiter';
import { avatarFileId } from '../../files/FileService';
import { userView } from '../../views';
import { ApiError } from '../ApiError';
import { currentUser, requireUser } from '../requireUser';
import { validate } from '../validate';

/** registerUser, loginAction, logoutAction, changePwd, getUserInfo, updateUserInfo (S16), plus user search. */
export function accountRoutes(ctx: AppContext): Router {
  const router = Router();
  const auth = requireUser(ctx);
  // Password guessing is bounded per login and per client address.
  const perMinute = ctx.config.authRatePerMinute;
  const loginLimiter = new RateLimiter(10 / 60, 10);
  const addressLimiter = new RateLimiter((perMinute * 5) / 60, perMinute * 5);
  const registerLimiter = new RateLimiter(perMinute / 60, perMinute);

  router.post('/users', async (req, res) => {
    if (!registerLimiter.take(req.ip ?? '')) throw new ApiError(429, ErrorCode.RateLimited, 'too many registrations; wait a minute');
    const body = validate(RegisterBody, req.body);
    const user = await ctx.users.register({ ...body, passwordHash: await hashPassword(body.password) });
    res.status(201).json({ token: ctx.tokens.issueUser({ uid: user._id.toHexString(), tv: user.tokenVersion }), user: userView(user, true, ctx.fileUrls) });
  });

  router.post('/login', async (req, res) => {
    const body = validate(LoginBody, req.body);
    if (!loginLimiter.take(body.login) || !addressLimiter.take(req.ip ?? '')) {
      throw new ApiError(429, ErrorCode.RateLimited, 'too many sign-in attempts; wait a minute');
    }
    const found = await ctx.users.findByLogin(body.login);
    if (!found) await burnPasswordCheck(body.password);
    if (!found || !(await verifyPassword(body.password, found.passwordHash))) {
      throw new ApiError(401, ErrorCode.WrongPassword, 'wrong login or password');
    }
    const user = await ctx.users.recordLogin(found._id.toHexString());
    res.json({ token: ctx.tokens.issueUser({ uid: user._id.toHexString(), tv: user.tokenVersion }), user: userView(user, true, ctx.fileUrls) });
  });

  router.post('/logout', auth, async (_req, res) => {
    const uid = currentUser(res)._id.toHexString();
    await ctx.users.bumpTokenVersion(uid);
    ctx.fanout.disconnectUser(uid);
    res.status(204).end();
  });

  router.post('/me/password', auth, async (req, res) => {
    const body = validate(ChangePasswordBody, req.body);
    const user = currentUser(res);
    if (!(await verifyPassword(body.oldPassword, user.passwordHash))) {
      throw new ApiError(403, ErrorCode.WrongPassword, 'the old password is wrong');
    }
    await ctx.users.bumpTokenVersion(user._id.toHexString(), await hashPassword(body.newPassword));
    ctx.fanout.disconnectUser(user._id.toHexString());
    res.status(204).end();
  });

  router.get('/me', auth, (_req, res) => {
    res.json({ user: userView(currentUser(res), true, ctx.fileUrls) });
  });

  router.patch('/me', auth, async (req, res) => {
    const body = validate(UpdateMeBody, req.body);
    const uid = currentUser(res)._id.toHexString();
    if (body.avatar !== undefined && body.avatar !== '') {
      // An avatar is an image the user uploaded (POST /api/files), named by its fileid.
      const fileid = avatarFileId(body.avatar);
      if (!fileid) throw new ApiError(400, ErrorCode.InvalidInput, 'avatar: the fileid of an image you uploaded (or "" for none)');
      body.avatar = await ctx.uploads.makeAvatar(fileid, uid);
    }
    const user = await ctx.users.update(uid, body);
    res.json({ user: userView(user, true, ctx.fileUrls) });
  });

  router.get('/users', auth, async (req, res) => {
    const { q } = validate(UserSearchQuery, req.query);
    const me = currentUser(res)._id.toHexString();
    const users = await ctx.users.search(q);
    res.json({ users: users.map((u) => userView(u, u._id.toHexString() === me, ctx.fileUrls)) });
  });

  router.get('/users/:uid', auth, async (req, res) => {
    const uid = validate(IdParam, req.params.uid);
    const user = await ctx.users.get(uid);
    res.json({ user: userView(user, uid === currentUser(res)._id.toHexString(), ctx.fileUrls) });
  });

  return router;
}
