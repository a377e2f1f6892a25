import type { NextFunction, Request, Response } from 'express';
import type { UserDoc } from '../../storage/documents';
import { NotAuthenticatedError } from '../errors/DomainError';
import type { AppContext } from '../node/AppContext';
import { ErrorCode } from '../protocol/errors';

/** What checking a user token needs. */
export type AuthDeps = Pick<AppContext, 'tokens' | 'users'>;

export function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return match ? match[1] : null;
}

/** Loads the user behind a token, refusing expired, forged and revoked ones. */
export async function authenticate({ tokens, users }: AuthDeps, token: string | null): Promise<UserDoc> {
  if (!token) throw new NotAuthenticatedError(ErrorCode.Unauthorized, 'sign in first (Authorization: Bearer <token>)');
  const claims = tokens.verifyUser(token);
  const user = await users.get(claims.uid).catch(() => null);
  if (!user) throw new NotAuthenticatedError(ErrorCode.TokenInvalid, 'the token names no user');
  if (user.tokenVersion !== claims.tv) throw new NotAuthenticatedError(ErrorCode.TokenRevoked, 'the token was revoked; sign in again');
  return user;
}

export function requireUser(deps: AuthDeps) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    res.locals.user = await authenticate(deps, bearerToken(req.get('authorization')));
    next();
  };
}

export function currentUser(res: Response): UserDoc {
  return res.locals.user as UserDoc;
}

export function currentUserId(res: Response): string {
  return currentUser(res)._id.toHexString();
}
