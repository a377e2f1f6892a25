import { createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { ErrorCode } from '../protocol/errors';
import { NotAuthenticatedError } from '../errors/DomainError';

export interface UserClaims {
  uid: string;
  /** The user's token version when issued; a newer one on the user revokes this token. */
  tv: number;
}

export interface SessionClaims extends UserClaims {
  sessionid: string;
}

interface Encoded {
  typ: 'user' | 'session';
  uid: string;
  tv: number;
  sessionid?: string;
  exp: number;
}

/** User and session tokens (S15): HS256 JWTs with an expiry; they can be read but not altered. */
export class TokenService {
  /** Made once: given a string, jsonwebtoken builds a key object on every call (a hot spot per message). */
  private readonly secret: KeyObject;

  constructor(
    secret: string,
    private readonly userTtl: number,
    private readonly sessionTtl: number,
  ) {
    this.secret = createSecretKey(Buffer.from(secret, 'utf8'));
  }

  issueUser(claims: UserClaims): string {
    return jwt.sign({ typ: 'user', uid: claims.uid, tv: claims.tv }, this.secret, { algorithm: 'HS256', expiresIn: this.userTtl });
  }

  issueSession(claims: SessionClaims): string {
    return jwt.sign({ typ: 'session', uid: claims.uid, tv: claims.tv, sessionid: claims.sessionid }, this.secret, {
      algorithm: 'HS256',
      expiresIn: this.sessionTtl,
    });
  }

  verifyUser(token: string): UserClaims {
    const decoded = this.decode(token, 'user');
    return { uid: decoded.uid, tv: decoded.tv };
  }

  verifySession(token: string): SessionClaims {
    const decoded = this.decode(token, 'session');
    if (typeof decoded.sessionid !== 'string') throw new NotAuthenticatedError(ErrorCode.TokenInvalid, 'not a session token');
    return { uid: decoded.uid, tv: decoded.tv, sessionid: decoded.sessionid };
  }

  private decode(token: string, typ: Encoded['typ']): Encoded {
    let decoded: Encoded;
    try {
      decoded = jwt.verify(token, this.secret, { algorithms: ['HS256'] }) as Encoded;
    } catch (err) {
      if (err instanceof jwt.TokenExpiredError) throw new NotAuthenticatedError(ErrorCode.TokenExpired, 'the token has expired');
      throw new NotAuthenticatedError(ErrorCode.TokenInvalid, 'the token is not valid');
    }
    if (decoded.typ !== typ || typeof decoded.uid !== 'string' || typeof decoded.tv !== 'number') {
      throw new NotAuthenticatedError(ErrorCode.TokenInvalid, `not a ${typ} token`);
    }
    // jsonwebtoken accepts a token without `exp` as never expiring; every token this server issues has one.
    if (typeof decoded.exp !== 'number' || !Number.isFinite(decoded.exp)) {
      throw new NotAuthenticatedError(ErrorCode.TokenInvalid, 'the token has no expiry');
    }
    return decoded;
  }
}
