import { DeniedError, ErrorKind, fixedError, InvalidRequestError } from '../errors/DomainError';
import { ErrorCode } from '../protocol/errors';

/** The caller is not a member of the conversation (reading, writing or managing it). */
export class NotMemberError extends fixedError(ErrorKind.Denied, ErrorCode.NotMember, 'you are not a member of this session') {}

/** A member may not do this here (a private conversation, or a group they did not create). */
export class NotAllowedError extends DeniedError {
  constructor(message: string) {
    super(ErrorCode.Forbidden, message);
  }
}

/** An invitation-only group: joined only when a member adds you. */
export class InvitationOnlyError extends fixedError(ErrorKind.Denied, ErrorCode.InvitationOnly, 'this group can only be joined by invitation') {}

/** A private conversation is between two different users. */
export class SelfConversationError extends InvalidRequestError {
  constructor() {
    super('a private conversation needs another user');
  }
}

/** The user is banned from the group: no joining, being added or using an invite until unbanned (S26). */
export class BannedError extends fixedError(ErrorKind.Denied, ErrorCode.Banned, 'this user is banned from the group') {}

/** An owner or admin muted the caller in this group: no sends or edits until `until` (S26). */
export class MutedError extends DeniedError {
  constructor(readonly until: number) {
    super(ErrorCode.Muted, `you are muted in this group until ${new Date(until).toISOString()}`);
  }
}
