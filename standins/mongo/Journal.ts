/**
 * Durable storage for the development server.
 *
 * File format (both files live in the server's data directory):
 *  - `journal.ndjson`: append-only, one record per line, each line is canonical Extended JSON
 *    (`EJSON.stringify(record, { relaxed: false })`) followed by "\n". The first line is a header
 *    `{"op":"hdr","gen":N,"v":1}`. A record counts only once its terminating newline is on disk, so
 *    a torn last line (kill -9 mid-write) is detected, ignored and cut off at the next start. A
 *    transaction is one `{"op":"txn","ops":[...]}` line, so it is all-or-nothing on replay.
 *  - `snapshot.ndjson`: same line format, a full dump (header, createColl, createIndex, put)
 *    written at start when the journal has grown; it is written to a temp file, fsynced and renamed.
 *    The journal is then rewritten with the snapshot's generation. If a crash happens between the
 *    rename and the rewrite, the journal's older generation tells replay to skip it.
 *
 * Records are collected while a command runs and written with one synchronous write() before
 * the command is acknowledged (`writePending`, called by CommandHandlers.run; a microtask also
 * writes anything left by writes outside commands, such as TTL deletes). fsync is batched on a
 * timer and forced on close.
 */
import fs from 'node:fs';
import path from 'node:path';
import { EJSON } from 'bson';
import { ExtendedJsonWriter } from './ExtendedJsonWriter';
import type { DevMongoLogger, JournalRecord } from './DevMongoServerTypes';

const FORMAT_VERSION = 1;

interface ParsedFile {
  records: JournalRecord[];
  gen: number;
  validBytes: number;
  totalBytes: number;
}

export class Journal {
  readonly journalPath: string;
  readonly snapshotPath: string;
  private fd: number | null = null;
  private dirty = false;
  private timer: NodeJS.Timeout | null = null;
  private gen = 0;
  private pending: string[] = [];
  private writeScheduled = false;

  constructor(
    private readonly dir: string,
    private readonly options: { fsyncIntervalMs: number; compactThresholdBytes: number; logger: DevMongoLogger },
  ) {
    this.journalPath = path.join(dir, 'journal.ndjson');
    this.snapshotPath = path.join(dir, 'snapshot.ndjson');
  }

  /**
   * Replays snapshot then journal through `apply`, compacts when the journal is large,
   * then opens the journal for appending. `dump` yields the full state for a snapshot.
   */
  open(apply: (rec: JournalRecord) => void, dump: () => Iterable<JournalRecord>): void {
    fs.mkdirSync(this.dir, { recursive: true });
    const snapshot = Journal.parse(this.snapshotPath);
    if (snapshot.validBytes !== snapshot.totalBytes) {
      this.options.logger.warn?.({ file: this.snapshotPath }, 'devmongo snapshot has a torn tail; ignoring it');
    }
    for (const rec of snapshot.records) Journal.applyRecord(rec, apply);

    const journal = Journal.parse(this.journalPath);
    const journalCurrent = journal.totalBytes > 0 && journal.gen >= snapshot.gen;
    if (journalCurrent) for (const rec of journal.records) Journal.applyRecord(rec, apply);
    if (journal.validBytes !== journal.totalBytes) {
      this.options.logger.warn?.(
        { file: this.journalPath, dropped: journal.totalBytes - journal.validBytes },
        'devmongo journal had a torn last record; it was ignored',
      );
    }
    this.gen = Math.max(0, snapshot.gen, journal.gen);

    const stale = journal.totalBytes > 0 && !journalCurrent;
    if (journal.validBytes > this.options.compactThresholdBytes || stale) {
      this.compact(dump);
    } else if (journal.totalBytes === 0) {
      this.rewriteJournal();
    } else if (journal.validBytes !== journal.totalBytes) {
      fs.truncateSync(this.journalPath, journal.validBytes);
    }
    this.fd = fs.openSync(this.journalPath, 'a');
    this.timer = setInterval(() => this.flush(), this.options.fsyncIntervalMs);
    this.timer.unref();
  }

  append(rec: JournalRecord): void {
    if (this.fd === null) return;
    this.pending.push(ExtendedJsonWriter.stringify(rec));
    if (!this.writeScheduled) {
      this.writeScheduled = true;
      queueMicrotask(() => {
        try {
          this.writePending();
        } catch (err) {
          this.options.logger.error?.({ err }, 'devmongo journal write failed');
        }
      });
    }
  }

  /** Writes the records appended since the last call, in one write(). */
  writePending(): void {
    this.writeScheduled = false;
    if (this.pending.length === 0 || this.fd === null) return;
    const text = this.pending.join('\n') + '\n';
    this.pending = [];
    fs.writeSync(this.fd, text);
    this.dirty = true;
  }

  /** Starts an fsync if anything was written since the last one. */
  flush(): void {
    if (!this.dirty || this.fd === null) return;
    this.dirty = false;
    fs.fdatasync(this.fd, () => {
      // Errors here (e.g. EBADF after close) are harmless: close() fsyncs synchronously.
    });
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.fd === null) return;
    try {
      this.writePending();
      fs.fsyncSync(this.fd);
    } finally {
      fs.closeSync(this.fd);
      this.fd = null;
    }
  }

  private compact(dump: () => Iterable<JournalRecord>): void {
    this.gen += 1;
    const tmp = `${this.snapshotPath}.tmp`;
    const fd = fs.openSync(tmp, 'w');
    try {
      let chunk = '';
      const write = (rec: JournalRecord) => {
        chunk += ExtendedJsonWriter.stringify(rec) + '\n';
        if (chunk.length > 1 << 20) {
          fs.writeSync(fd, chunk);
          chunk = '';
        }
      };
      write({ op: 'hdr', gen: this.gen, v: FORMAT_VERSION });
      for (const rec of dump()) write(rec);
      fs.writeSync(fd, chunk);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, this.snapshotPath);
    Journal.fsyncDir(this.dir);
    this.rewriteJournal();
    this.options.logger.info?.({ gen: this.gen }, 'devmongo journal compacted into a snapshot');
  }

  private rewriteJournal(): void {
    const line = EJSON.stringify({ op: 'hdr', gen: this.gen, v: FORMAT_VERSION } as never, { relaxed: false }) + '\n';
    const fd = fs.openSync(this.journalPath, 'w');
    try {
      fs.writeSync(fd, line);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    Journal.fsyncDir(this.dir);
  }

  private static fsyncDir(dir: string): void {
    try {
      const fd = fs.openSync(dir, 'r');
      try {
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
    } catch {
      // Not every platform allows fsync on a directory; the rename is still atomic.
    }
  }

  private static applyRecord(rec: JournalRecord, apply: (rec: JournalRecord) => void): void {
    if (rec.op === 'hdr') return;
    if (rec.op === 'txn') for (const op of rec.ops) apply(op);
    else apply(rec);
  }

  /** Reads the complete, parseable newline-terminated prefix of a file. */
  private static parse(file: string): ParsedFile {
    let text: Buffer;
    try {
      text = fs.readFileSync(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], gen: -1, validBytes: 0, totalBytes: 0 };
      throw err;
    }
    const records: JournalRecord[] = [];
    let gen = -1;
    let offset = 0;
    while (offset < text.length) {
      const nl = text.indexOf(10, offset);
      if (nl < 0) break; // torn: no terminating newline
      let rec: JournalRecord;
      try {
        rec = EJSON.parse(text.toString('utf8', offset, nl), { relaxed: true }) as JournalRecord;
      } catch {
        break; // corrupt record: everything after it is untrusted
      }
      if (rec.op === 'hdr') gen = rec.gen;
      else records.push(rec);
      offset = nl + 1;
    }
    return { records, gen, validBytes: offset, totalBytes: text.length };
  }
}
