import { DocumentValues } from './DocumentValues';
import type { DevMongoLogger, Doc } from './DevMongoServerTypes';
import type { StorageEngine } from './StorageEngine';
import type { WriteScope } from './WriteScope';

/** Deletes documents whose TTL index date plus expireAfterSeconds has passed. */
export class TtlMonitor {
  constructor(
    private readonly storage: StorageEngine,
    private readonly logger: DevMongoLogger,
  ) {}

  /** One pass over every TTL index; returns how many documents were removed. */
  sweep(scope: WriteScope, now = Date.now()): number {
    let removed = 0;
    for (const coll of this.storage.allCollections()) {
      for (const spec of coll.indexes) {
        const fields = Object.keys(spec.key);
        if (typeof spec.expireAfterSeconds !== 'number' || fields.length !== 1) continue;
        const ttlMs = spec.expireAfterSeconds * 1000;
        const index = coll.getSecondaryIndex(spec.name);
        // A document expires once its earliest date is old enough, i.e. once any of its dates is:
        // the index lists exactly those in its date range. A partial index lacks documents the
        // scan below has always expired, so it keeps scanning.
        const expired =
          index && !spec.partialFilterExpression
            ? index.recordsWithDateUpTo(now - ttlMs).map((r) => r.doc)
            : TtlMonitor.scanExpired(coll.documents(), fields[0], ttlMs, now);
        for (const doc of expired) {
          // A document may already be gone if two TTL indexes matched it.
          if (coll.getById(doc._id) !== doc) continue;
          this.storage.remove(scope, coll, doc);
          removed++;
        }
      }
    }
    if (removed > 0) this.logger.debug?.({ removed }, 'devmongo TTL sweep removed expired documents');
    return removed;
  }

  private static scanExpired(docs: Iterable<Doc>, field: string, ttlMs: number, now: number): Doc[] {
    const expired: Doc[] = [];
    for (const doc of docs) {
      const value = DocumentValues.getPath(doc, field);
      const dates = (Array.isArray(value) ? value : [value]).filter((v): v is Date => v instanceof Date);
      if (dates.length === 0) continue;
      const earliest = Math.min(...dates.map((d) => d.getTime()));
      if (earliest + ttlMs <= now) expired.push(doc);
    }
    return expired;
  }
}
