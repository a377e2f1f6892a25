/** Named storage errors; the signaling tier maps each `code` to an HTTP status. */
export class StorageError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class DuplicateLoginError extends StorageError {
  constructor() {
    super('duplicate_login', 'that login is already registered');
  }
}

export class UserNotFoundError extends StorageError {
  constructor() {
    super('user_not_found', 'no such user');
  }
}

export class SessionNotFoundError extends StorageError {
  constructor() {
    super('session_not_found', 'no such session');
  }
}

/**
 * MongoDB's duplicate key error (code 11000), from a write or one of a bulk write's errors: the one
 * detector every store uses (a unique index is how storage settles races between processes).
 */
export function isDuplicateKeyError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 11000;
}
