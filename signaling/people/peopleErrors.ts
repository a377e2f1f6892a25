import { ErrorKind, fixedError, InvalidRequestError } from '../errors/DomainError';
import { ErrorCode } from '../protocol/errors';

/** A block stands between the two users (either way): no private chat, friendship or call (S26). */
export class BlockedError extends fixedError(ErrorKind.Denied, ErrorCode.Blocked, 'a block stands between you and this user') {}

/** Befriending, blocking or inviting oneself. */
export class SelfTargetError extends InvalidRequestError {
  constructor(what: string) {
    super(`you cannot ${what} yourself`);
  }
}

export class AlreadyFriendsError extends fixedError(ErrorKind.Conflict, ErrorCode.AlreadyFriends, 'you are already friends') {}

/** Accepting a request nobody sent (or one withdrawn meanwhile). */
export class FriendRequestNotFoundError extends fixedError(ErrorKind.NotFound, ErrorCode.FriendRequestNotFound, 'no friend request from this user') {}

/** An invite code never made, or revoked. */
export class InviteNotFoundError extends fixedError(ErrorKind.NotFound, ErrorCode.InviteNotFound, 'no such invite link (it may have been revoked)') {}

/** An invite link past its expiry (404, like an unknown one, with its own code). */
export class InviteExpiredError extends fixedError(ErrorKind.NotFound, ErrorCode.InviteExpired, 'this invite link has expired') {}
