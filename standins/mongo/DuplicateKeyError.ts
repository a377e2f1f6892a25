import { CommandError } from './CommandError';
import { DocumentValues } from './DocumentValues';
import type { Doc } from './DevMongoServerTypes';

/** E11000, raised when a write would violate the _id index or a unique index. */
export class DuplicateKeyError extends CommandError {
  constructor(ns: string, indexName: string, keyPattern: Doc, keyValue: Doc) {
    super(
      11000,
      'DuplicateKey',
      `E11000 duplicate key error collection: ${ns} index: ${indexName} dup key: ${DocumentValues.describe(keyValue)}`,
      { keyPattern, keyValue },
    );
    this.name = 'DuplicateKeyError';
  }
}
