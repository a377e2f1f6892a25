import { Router } from 'express';
import { setTimeout as sleep } from 'node:timers/promises';
import { passwordWeakness, type PasswordContext } from '../../auth/passwordStrength';
import { burnPasswordCheck, hashPassword, verifyPassword } from '../../auth/passwords';
import { SignInThrottle } from '../../auth/SignInThrottle';
import type { AppContext } from '../../node/AppContext';
import { ErrorCode } from '../../protocol/errors';
import { ChangePasswordBody, LoginBody, RegisterBody } from '../../protocol/schemas';
import { RateLimiter } from '../../util/RateLimiter';
import { userView } from '../../views';
import { DeniedError, InvalidRequestError, NotAuthenticatedError } from '../../errors/DomainError';
import { rateLimitedFor } from '../ApiError';
import { currentUser, currentUserId, requireUser } from '../requireUser';
import { validate } from '../validate';

export type AccountRouteDeps = Pick<AppContext, 'config' | 'users' | 'tokens' | 'fanout' | 'fileUrls'>;

/** registerUser, loginAction, logoutAction and changePwd (S16): accounts, passwords and tokens. */
export function accountRoutes(deps: AccountRouteDeps): Router {
  const { config, users, tokens, fanout, fileUrls } = deps;
  const router = Router();
  const auth = requireUser(deps);
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

  router.post('/users', async (req, res) => {
    if (!registerLimiter.take(req.ip ?? '')) rateLimitedFor(res, 60 / perMinute, 'too many registrations; wait a minute');
    const body = validate(RegisterBody, req.body);
    await refuseWeakPassword(body.password, body);
    const user = await users.register({ ...body, passwordHash: await hashPassword(body.password) });
    res.status(201).json({ token: tokens.issueUser({ uid: user._id.toHexString(), tv: user.tokenVersion }), user: userView(user, true, fileUrls) });
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
    const found = await users.findByLogin(body.login);
    if (!found) await burnPasswordCheck(body.password);
    if (!found || !(await verifyPassword(body.password, found.passwordHash))) {
      throw new NotAuthenticatedError(ErrorCode.WrongPassword, 'wrong login or password');
    }
    signIns.succeeded(body.login, address);
    const user = await users.recordLogin(found._id.toHexString());
    res.json({ token: tokens.issueUser({ uid: user._id.toHexString(), tv: user.tokenVersion }), user: userView(user, true, fileUrls) });
  });

  router.post('/logout', auth, async (_req, res) => {
    const uid = currentUserId(res);
    await users.bumpTokenVersion(uid);
    fanout.disconnectUser(uid);
    res.status(204).end();
  });

  router.post('/me/password', auth, async (req, res) => {
    const body = validate(ChangePasswordBody, req.body);
    const user = currentUser(res);
    if (!(await verifyPassword(body.oldPassword, user.passwordHash))) {
      throw new DeniedError(ErrorCode.WrongPassword, 'the old password is wrong');
    }
    await refuseWeakPassword(body.newPassword, user);
    await users.bumpTokenVersion(user._id.toHexString(), await hashPassword(body.newPassword));
    fanout.disconnectUser(user._id.toHexString());
    res.status(204).end();
  });

  return router;
}

/** A new password must not be weak (weak_password names why). */
async function refuseWeakPassword(password: string, account: PasswordContext): Promise<void> {
  const weakness = await passwordWeakness(password, { login: account.login, nickname: account.nickname });
  if (weakness) throw new InvalidRequestError(weakness, ErrorCode.WeakPassword);
}
