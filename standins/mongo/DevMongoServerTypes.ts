// Shared option and data types for the MongoDB wire-protocol development server.

/** A pino-compatible logger; every method is optional so `{}` works too. */
export interface DevMongoLogger {
  info?: (obj: unknown, msg?: string) => void;
  warn?: (obj: unknown, msg?: string) => void;
  error?: (obj: unknown, msg?: string) => void;
  debug?: (obj: unknown, msg?: string) => void;
}

/** A BSON document as deserialized by the `bson` package. */
export type Doc = Record<string, any>;

export interface DevMongoServerOptions {
  /** Directory holding journal.ndjson / snapshot.ndjson. Omit for a purely in-memory server. */
  dataDir?: string;
  /** TCP port on 127.0.0.1; 0 (default) picks an ephemeral port. */
  port?: number;
  /** Listen host, default 127.0.0.1. */
  host?: string;
  logger?: DevMongoLogger;
  /** Replica set name announced in hello, default "devmongo". */
  replSetName?: string;
  /** When set, `onIdle` fires after this long without any client connection. */
  idleTimeoutMs?: number;
  onIdle?: () => void;
  /** Journal fsync batching interval, default 50 ms. */
  fsyncIntervalMs?: number;
  /** Journal size above which it is compacted into a snapshot at start, default 8 MiB. */
  compactThresholdBytes?: number;
  /** TTL sweep period, default 1000 ms. */
  ttlSweepIntervalMs?: number;
  /** How long a transaction (or a plain write) waits for the transaction lock, default 5000 ms. */
  transactionLockTimeoutMs?: number;
  /** Transactions idle longer than this are aborted, default 60000 ms. */
  transactionLifetimeMs?: number;
  /** Idle cursors are closed after this long, default 10 minutes. */
  cursorIdleTimeoutMs?: number;
  /** Open cursors allowed per connection, default 1000. */
  maxCursorsPerConnection?: number;
}

export interface IndexSpec {
  v?: number;
  key: Record<string, number | string>;
  name: string;
  unique?: boolean;
  sparse?: boolean;
  expireAfterSeconds?: number;
  partialFilterExpression?: Doc;
  [extra: string]: unknown;
}

/** One line of the journal or snapshot file; see Journal.ts for the file format. */
export type JournalRecord =
  | { op: 'hdr'; gen: number; v: number }
  | { op: 'createColl'; db: string; coll: string; options?: Doc }
  | { op: 'dropColl'; db: string; coll: string }
  | { op: 'dropDb'; db: string }
  | { op: 'createIndex'; db: string; coll: string; spec: IndexSpec }
  | { op: 'dropIndex'; db: string; coll: string; name: string }
  | { op: 'put'; db: string; coll: string; doc: Doc }
  | { op: 'del'; db: string; coll: string; id: unknown }
  | { op: 'txn'; ops: JournalRecord[] };

export type ChangeOperationType = 'insert' | 'update' | 'replace' | 'delete';

/** A change as produced by a write, before the hub stamps it with a sequence number. */
export interface ChangeEventDraft {
  operationType: ChangeOperationType;
  db: string;
  coll: string;
  documentKey: { _id: unknown };
  fullDocument?: Doc;
  updateDescription?: { updatedFields: Doc; removedFields: string[]; truncatedArrays: unknown[] };
}

export interface EnsureDevMongoOptions {
  /** The product's data directory; the server lives under `<dataDir>/devmongo/`. */
  dataDir: string;
  logger?: DevMongoLogger;
  /** How long to wait for a spawned server to answer, default 30000 ms. */
  startTimeoutMs?: number;
}

export interface EnsureDevMongoResult {
  url: string;
  started: boolean;
}

/** Contents of `<dataDir>/devmongo/server.json`. */
export interface DevMongoServerInfo {
  port: number;
  pid: number;
  url?: string;
  startedAt?: string;
}
