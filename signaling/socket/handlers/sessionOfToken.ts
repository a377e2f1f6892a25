import type { TokenService } from '../../auth/TokenService';
import { DeniedError } from '../../errors/DomainError';
import { ErrorCode } from '../../protocol/errors';
import { mustBeInSessionRoom } from '../../sessions/sessionRooms';
import type { ChatSocket } from '../ChatSocket';

/**
 * The conversation a session token names (S15 step 4), for writing into it over this socket: the
 * token must be this user's, current, and the socket a member of the conversation.
 */
export function sessionOfToken(tokens: TokenService, socket: ChatSocket, sessionToken: string): string {
  const claims = tokens.verifySession(sessionToken);
  if (claims.uid !== socket.data.uid || claims.tv !== socket.data.tokenVersion) {
    throw new DeniedError(ErrorCode.Forbidden, 'the session token belongs to another user');
  }
  mustBeInSessionRoom(socket, claims.sessionid);
  return claims.sessionid;
}
