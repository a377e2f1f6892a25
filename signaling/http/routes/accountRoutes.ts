import { Router } from 'express';
import { setTimeout as sleep } from 'node:timers/promises';
import { passwordWeakness, type PasswordContext } from '../../auth/passwordStrength';
import { burnPasswordCheck, hashPassword, verifyPassword } from '../../auth/passwords';
import { SignInThrottle } from '../../auth/SignInThrottle';
import type { AppContext } from '../../node/AppContext';
import { ErrorCode } from '../../protocol/errors';
import { ChangePasswordBody, IdParam, LoginBody, RegisterBody, UpdateMeBody, UserSearchQuery } from '../../protocol/schemas';
import { RateLimiter } from '../../util/RateLimiter';
import { avatarFileId } from '../../files/FileService';
import { userView } from '../../views';
import { DeniedError, InvalidRequestError, NotAuthenticatedError } from '../../errors/DomainError';
import { rateLimitedFor } from '../ApiError';
import { currentUser, requireUser } from '../requireUser';
import { validate } from '../validate';

/** registerUser, loginAction, logoutAction, changePwd, getUserInfo, updateUserInfo (S16), plus user search. */
export function accountRoutes(ctx: AppContext): Router {
  const router = Router();
  const auth = requireUser(ctx);
  const { config } = ctx;
  const perMinute = config.authRatePerMinute;
  // Password guessing is throttled per (login, address) and capped per address; a login under
  // attack from many addresses is only slowed down, so nobody can lock its owner out.
  const signIns = new SignInThrottle({
    freeFailures: config.signinFreeFailures,
    slowdownAfter: config.signinSlowdownAfter,
    slowdownMs: config.signinSlowdownMs,
  });
  const addressLimiter = new RateLimiter((perMinute * 5) / 60, perMinute * 5);
  const registerLimiter = new RateLimiter(perMinute / 60, perMinute);
  // An exact email finds its account (a product feature), so lookups are throttled against enumeration.
  const searchLimiter = new RateLimiter(config.userSearchPerMinute / 60, config.userSearchPerMinute);

  router.post('/users', async (req, res) => {
    if (!registerLimiter.take(req.ip ?? '')) rateLimitedFor(res, 60 / perMinute, 'too many registrations; wait a minute');
    const body = validate(RegisterBody, req.body);
    await refuseWeakPassword(body.password, body);
    const user = await ctx.users.register({ ...body, passwordHash: await hashPassword(body.password) });
    res.status(201).json({ token: ctx.tokens.issueUser({ uid: user._id.toHexString(), tv: user.tokenVersion }), user: userView(user, true, ctx.fileUrls) });
  });

  router.post('/login', async (req, res) => {
    const body = validate(LoginBody, req.body);
    const address = req.ip ?? '';
    if (!addressLimiter.take(address)) rateLimitedFor(res, 60 / (perMinute * 5), 'too many sign-in attempts from your address; wait a moment');
    const wait = signIns.waitFor(body.login, address);
    if (wait > 0) rateLimitedFor(res, wait / 1000, 'too many wrong passwords for this login; wait a moment');
    const slowdown = signIns.slowdownFor(body.login);
    if (slowdown > 0) await sleep(slowdown);
    signIns.attempt(body.login, address);
    const found = await ctx.users.findByLogin(body.login);
    if (!found) await burnPasswordCheck(body.password);
    if (!found || !(await verifyPassword(body.password, found.passwordHash))) {
      throw new NotAuthenticatedError(ErrorCode.WrongPassword, 'wrong login or password');
    }
    signIns.succeeded(body.login, address);
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
      throw new DeniedError(ErrorCode.WrongPassword, 'the old password is wrong');
    }
    await refuseWeakPassword(body.newPassword, user);
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
      if (!fileid) throw new InvalidRequestError('avatar: the fileid of an image you uploaded (or "" for none)');
      body.avatar = await ctx.uploads.makeAvatar(fileid, uid);
    }
    const user = await ctx.users.update(uid, body);
    res.json({ user: userView(user, true, ctx.fileUrls) });
  });

  router.get('/users', auth, async (req, res) => {
    const { q } = validate(UserSearchQuery, req.query);
    const me = currentUser(res)._id.toHexString();
    if (!searchLimiter.take(me)) rateLimitedFor(res, 60 / config.userSearchPerMinute, 'too many user searches; wait a moment');
    // Known or unknown, an email answers the same shape: `{ users }`, another user's login withheld.
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

/** A 429 with Retry-After (whole seconds, at least 1). */
async function refuseWeakPassword(password: string, account: PasswordContext): Promise<void> {
  const weakness = await passwordWeakness(password, { login: account.login, nickname: account.nickname });
  if (weakness) throw new InvalidRequestError(weakness, ErrorCode.WeakPassword);
}
