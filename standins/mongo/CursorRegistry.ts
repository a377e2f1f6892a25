import { CommandError } from './CommandError';
import type { Doc } from './DevMongoServerTypes';

export interface ChangeStreamState {
  db: string;
  /** null for a database- or cluster-wide stream. */
  coll: string | null;
  /** null for a cluster-wide stream. */
  dbFilter: string | null;
  afterSeq: number;
  fullDocument: string;
  pipeline: Doc[];
}

export interface ServerCursor {
  id: number;
  ns: string;
  connectionId: number;
  lastUsed: number;
  /** Remaining documents of a query cursor (already projected). */
  docs: Doc[];
  position: number;
  changeStream?: ChangeStreamState;
  /** Set while a getMore is using the cursor, so concurrent getMores are refused. */
  busy: boolean;
}

/** Open cursors, bounded per connection and closed after being idle too long. */
export class CursorRegistry {
  private readonly cursors = new Map<number, ServerCursor>();
  private readonly perConnection = new Map<number, number>();
  private nextId = 1;

  constructor(private readonly options: { maxPerConnection: number; idleTimeoutMs: number }) {}

  create(connectionId: number, ns: string, docs: Doc[], changeStream?: ChangeStreamState): ServerCursor {
    const open = this.perConnection.get(connectionId) ?? 0;
    if (open >= this.options.maxPerConnection) {
      throw new CommandError(
        2,
        'BadValue',
        `too many open cursors on this connection (${open}); close cursors you no longer need`,
      );
    }
    // Random high bits make ids hard to guess, like mongod's; stays within 2^53 for JS numbers.
    const id = this.nextId++ + Math.floor(Math.random() * 0x1fffff) * 0x100000000;
    const cursor: ServerCursor = { id, ns, connectionId, lastUsed: Date.now(), docs, position: 0, changeStream, busy: false };
    this.cursors.set(id, cursor);
    this.perConnection.set(connectionId, open + 1);
    return cursor;
  }

  get(id: number, ns: string): ServerCursor {
    const cursor = this.cursors.get(id);
    if (!cursor) throw new CommandError(43, 'CursorNotFound', `cursor id ${id} not found`);
    if (cursor.ns !== ns) {
      throw new CommandError(13, 'Unauthorized', `Requested getMore on namespace '${ns}', but cursor belongs to a different namespace ${cursor.ns}`);
    }
    cursor.lastUsed = Date.now();
    return cursor;
  }

  kill(id: number): boolean {
    const cursor = this.cursors.get(id);
    if (!cursor) return false;
    this.cursors.delete(id);
    const open = (this.perConnection.get(cursor.connectionId) ?? 1) - 1;
    if (open <= 0) this.perConnection.delete(cursor.connectionId);
    else this.perConnection.set(cursor.connectionId, open);
    return true;
  }

  killForConnection(connectionId: number): void {
    for (const cursor of [...this.cursors.values()]) if (cursor.connectionId === connectionId) this.kill(cursor.id);
  }

  sweepIdle(now: number): void {
    for (const cursor of [...this.cursors.values()]) {
      if (!cursor.busy && now - cursor.lastUsed > this.options.idleTimeoutMs) this.kill(cursor.id);
    }
  }

  get size(): number {
    return this.cursors.size;
  }
}
