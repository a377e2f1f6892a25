import type { Doc } from './DevMongoServerTypes';

/** A command failure that is sent back as `{ ok: 0, errmsg, code, codeName }` like mongod does. */
export class CommandError extends Error {
  constructor(
    readonly code: number,
    readonly codeName: string,
    message: string,
    readonly extra: Doc = {},
    readonly errorLabels: string[] = [],
  ) {
    super(message);
    this.name = 'CommandError';
  }

  /** The error document for a command reply (top-level) or a writeErrors entry. */
  toReplyFields(): Doc {
    const out: Doc = { errmsg: this.message, code: this.code, codeName: this.codeName, ...this.extra };
    if (this.errorLabels.length > 0) out.errorLabels = this.errorLabels;
    return out;
  }
}
