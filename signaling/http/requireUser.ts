import type { NextFunction, Request, Response } from 'express';
import type { UserDoc } from '../../storage/documents';
import { ErrorCode } from '../protocol/errors';
import type { AppContext } from '../node/AppContext';
import { NotAuthenticatedError } from '../errors/DomainError';

export function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return match ? match[1] : null;
}

/** Loads the user behind a token, refusing expired, forged and revoked ones. */
export async function authenticate(ctx: AppContext, token: string | null): Promise<UserDoc> {
  if (!token) throw new NotAuthenticatedError(ErrorCode.Unauthorized, 'sign in first (Authorization: Bearer <token>)');
  const claims = ctx.tokens.verifyUser(token);
  const user = await ctx.users.get(claims.uid).catch(() => null);
  if (!user) throw new NotAuthenticatedError(ErrorCode.TokenInvalid, 'the token names no user');
  if (user.tokenVersion !== claims.tv) throw new NotAuthenticatedError(ErrorCode.TokenRevoked, 'the token was revoked; sign in again');
  return user;
}

export function requireUser(ctx: AppContext) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    res.locals.user = await authenticate(ctx, bearerToken(req.get('authorization')));
    next();
  };
}

export function currentUser(res: Response): UserDoc {
  return res.locals.user as UserDoc;
}
