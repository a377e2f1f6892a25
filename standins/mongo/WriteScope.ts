import type { ChangeStreamHub } from './ChangeStreamHub';
import type { ChangeEventDraft, JournalRecord } from './DevMongoServerTypes';
import type { Journal } from './Journal';
import type { ActiveTransaction } from './TransactionManager';

/**
 * Where the effects of one write go: straight to the journal and change streams (autocommit),
 * or into the transaction's pending records, undo log and events until commit.
 */
export class WriteScope {
  constructor(
    private readonly journal: Journal | null,
    private readonly hub: ChangeStreamHub,
    readonly txn: ActiveTransaction | null,
  ) {}

  record(rec: JournalRecord, undo: () => void, event?: ChangeEventDraft): void {
    if (this.txn) {
      this.txn.records.push(rec);
      this.txn.undo.push(undo);
      if (event) this.txn.events.push(event);
      return;
    }
    this.journal?.append(rec);
    if (event) this.hub.publish(event);
  }
}
