import { ErrorKind, fixedError, InvalidRequestError, LimitError } from '../errors/DomainError';
import { ErrorCode } from '../protocol/errors';

/** Unknown msgid, a message of another conversation, or a deleted one: all answered alike. */
export class MessageNotFoundError extends fixedError(ErrorKind.NotFound, ErrorCode.NotFound, 'no such message in this conversation') {}

export class NotOneEmojiError extends InvalidRequestError {
  constructor() {
    super('emoji: one emoji (or its :shortcode:)');
  }
}

/** A message carries as many reactions, or different emoji, as it may. */
export class TooManyReactionsError extends LimitError {
  constructor(message: string) {
    super(message, ErrorCode.TooManyReactions);
  }
}
