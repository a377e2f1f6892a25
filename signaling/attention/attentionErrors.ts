import { ErrorKind, fixedError, InvalidRequestError } from '../errors/DomainError';
import { ErrorCode } from '../protocol/errors';

/** `mentions` names someone who is not a member of the conversation: nothing is stored. */
export class InvalidMentionsError extends InvalidRequestError {
  constructor(strangers: string[]) {
    super(`mentions: not members of this conversation: ${strangers.join(', ')}`, ErrorCode.InvalidMentions);
  }
}

/** `mentions: ["all"]` from someone who is not an owner or admin of a group. */
export class MentionAllDeniedError extends fixedError(ErrorKind.Denied, ErrorCode.Forbidden, 'only owners and admins of a group may mention everyone ("all")') {}
