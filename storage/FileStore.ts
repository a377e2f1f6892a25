import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, mkdirSync } from 'node:fs';
import { mkdir, readdir, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ObjectId } from 'mongodb';
import type { Database } from './Database';
import type { FileDoc } from './documents';
import { isDuplicateKeyError } from './errors';

/** Stored variants of one content: the bytes as uploaded, the image thumbnail and the avatar cut. */
export type BlobVariant = 'content' | 'thumb' | 'avatar';

const variantSuffix: Record<BlobVariant, string> = { content: '', thumb: '.thumb.webp', avatar: '.avatar.webp' };
/** A content key: a sha256 (an md5 only for records stored before contents were keyed by sha256). */
const CONTENT_KEY = /^(?:[0-9a-f]{32}|[0-9a-f]{64})$/;
/** Temporary files younger than this may belong to an upload still running in another process of the node. */
const TEMP_SWEEP_AGE_MS = 10 * 60_000;

/** A file record to create: everything but the id and the links, which the store manages. */
export type NewFile = Omit<FileDoc, '_id' | 'uploaders' | 'msgids' | 'sessionids' | 'dateline'>;

/**
 * Files on disk and their records in the `files` collection (S9, S20).
 *
 * Disk: everything lives under `<dataDir>/files`. Content is stored under its sha256
 * (`files/ab/cd/<sha256>`, derived variants beside it), so names never come from clients and the
 * same bytes have one place; uploads are written to `files/tmp/` first and renamed into place
 * (atomic, and a rename over an identical copy from a concurrent upload is harmless). Records stored
 * before contents were keyed by sha256 keep their md5-derived `filepath`. Record paths are relative
 * to the data directory so it can move.
 *
 * Records: one per sha256 (unique index); the second of two concurrent uploads meets the first
 * one's record and joins it as an uploader. md5 is only a lookup key: several records may share one
 * (md5 collisions), and a lookup by md5 answers only a record the caller may read.
 */
export class FileStore {
  readonly filesDir: string;
  readonly tmpDir: string;

  constructor(
    private readonly db: Database,
    readonly dataDir: string,
  ) {
    this.filesDir = path.join(dataDir, 'files');
    this.tmpDir = path.join(this.filesDir, 'tmp');
    mkdirSync(this.tmpDir, { recursive: true });
  }

  // ---- disk ----

  /** A fresh temporary file name under files/tmp (not created). */
  tempPath(suffix = ''): string {
    return path.join(this.tmpDir, `${Date.now().toString(36)}-${randomBytes(8).toString('hex')}${suffix}`);
  }

  /** Where a variant of the content with this key (its sha256) is stored, relative to the data directory. */
  relativePath(key: string, variant: BlobVariant): string {
    if (!CONTENT_KEY.test(key)) throw new Error(`not a content key: ${key}`);
    return path.posix.join('files', key.slice(0, 2), key.slice(2, 4), `${key}${variantSuffix[variant]}`);
  }

  /** The key a record's derived variants are stored under (md5 only for old records never re-uploaded). */
  static contentKey(file: Pick<FileDoc, 'sha256' | 'md5'>): string {
    return file.sha256 ?? file.md5;
  }

  /** The absolute path of a stored (relative) path; refuses anything that would leave the files directory. */
  absolutePath(relative: string): string {
    const full = path.resolve(this.dataDir, relative);
    if (!full.startsWith(this.filesDir + path.sep)) throw new Error(`stored path outside the files directory: ${relative}`);
    return full;
  }

  /** Moves a finished temporary file to its content-addressed place; answers the relative path. */
  async commit(tempFile: string, key: string, variant: BlobVariant): Promise<string> {
    const relative = this.relativePath(key, variant);
    await this.place(tempFile, relative);
    return relative;
  }

  /** Moves a finished temporary file to a stored (relative) path. */
  async place(tempFile: string, relative: string): Promise<void> {
    const target = this.absolutePath(relative);
    await mkdir(path.dirname(target), { recursive: true });
    await rename(tempFile, target);
  }

  /** The sha256 of a stored file (lower-case hex). */
  async sha256Of(relative: string): Promise<string> {
    const hash = createHash('sha256');
    await pipeline(createReadStream(this.absolutePath(relative)), hash);
    return hash.digest('hex');
  }

  async exists(relative: string): Promise<boolean> {
    try {
      return (await stat(this.absolutePath(relative))).isFile();
    } catch {
      return false;
    }
  }

  /** Removes a file, ignoring one that is already gone. */
  async remove(file: string): Promise<void> {
    await unlink(file).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
  }

  /**
   * Deletes temporary files older than `maxAgeMs` (uploads interrupted by a crash). Only old ones:
   * the other processes of the node share the folder and may be writing theirs right now.
   */
  async sweepTemp(maxAgeMs = TEMP_SWEEP_AGE_MS): Promise<number> {
    let removed = 0;
    const now = Date.now();
    for (const name of await readdir(this.tmpDir).catch(() => [] as string[])) {
      const file = path.join(this.tmpDir, name);
      try {
        if (now - (await stat(file)).mtimeMs > maxAgeMs) {
          await unlink(file);
          removed++;
        }
      } catch {
        /* raced with its owner */
      }
    }
    return removed;
  }

  // ---- records ----

  findBySha256(sha256: string): Promise<FileDoc | null> {
    return this.db.files.findOne({ sha256 });
  }

  /**
   * A record with this md5 the user may read (uploaded it, or is a member of a conversation where it
   * was posted), or null: the same answer as for bytes nobody stored, so an md5 never tells a user
   * that someone else's file exists. Their own upload first, then the newest.
   */
  async readableByMd5(md5: string, uid: string): Promise<FileDoc | null> {
    const own = await this.db.files.find({ md5, uploaders: uid }).sort({ dateline: -1 }).limit(1).next();
    if (own) return own;
    const posted = await this.db.files
      .find({ md5 }, { projection: { sessionids: 1, dateline: 1 } })
      .sort({ dateline: -1 })
      .toArray();
    const ids = [...new Set(posted.flatMap((f) => f.sessionids))].filter((id) => ObjectId.isValid(id)).map((id) => new ObjectId(id));
    if (ids.length === 0) return null;
    const member = await this.db.sessions.find({ _id: { $in: ids }, uids: uid }, { projection: { _id: 1 } }).toArray();
    const mine = new Set(member.map((s) => s._id.toHexString()));
    const chosen = posted.find((f) => f.sessionids.some((id) => mine.has(id)));
    return chosen ? this.db.files.findOne({ _id: chosen._id }) : null;
  }

  /**
   * Records stored before contents were keyed by sha256 have none: when bytes with their md5 arrive
   * again, each such record gets the sha256 of its stored bytes (so it is found by sha256 from then
   * on). Answers the one whose bytes are these (`sha256`), or null.
   */
  async adoptLegacy(md5: string, sha256: string): Promise<FileDoc | null> {
    let match: FileDoc | null = null;
    for (const legacy of await this.db.files.find({ md5, sha256: { $exists: false } }).toArray()) {
      const actual = await this.sha256Of(legacy.filepath).catch(() => null);
      // Bytes gone (a data directory restored without its files): the record is left as it is.
      if (!actual) continue;
      try {
        const updated = await this.db.files.findOneAndUpdate(
          { _id: legacy._id, sha256: { $exists: false } },
          { $set: { sha256: actual } },
          { returnDocument: 'after' },
        );
        if (updated && actual === sha256) match = updated;
      } catch (err) {
        // Another record holds these bytes already: keep both, this one stays found by md5 only.
        if (!isDuplicateKeyError(err)) throw err;
      }
    }
    return match;
  }

  async get(fileid: string): Promise<FileDoc | null> {
    if (!ObjectId.isValid(fileid)) return null;
    return this.db.files.findOne({ _id: new ObjectId(fileid) });
  }

  /**
   * Records a stored content. When a record for the sha256 exists already (an earlier or a
   * concurrent upload), that one is answered, with `uploader` added to its uploaders: one record per content.
   */
  async create(input: NewFile & { sha256: string }): Promise<{ file: FileDoc; created: boolean }> {
    const doc: FileDoc = {
      ...input,
      _id: new ObjectId(),
      uploaders: [input.uploader],
      msgids: [],
      sessionids: [],
      dateline: Date.now(),
    };
    try {
      await this.db.files.insertOne(doc);
      return { file: doc, created: true };
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
    }
    const existing = await this.addUploader(input.sha256, input.uploader);
    if (!existing) throw new Error(`file record for ${input.sha256} vanished`);
    return { file: existing, created: false };
  }

  /** Adds a user to the uploaders of the content with this sha256; answers the record (null if none). */
  addUploader(sha256: string, uid: string): Promise<FileDoc | null> {
    return this.db.files.findOneAndUpdate({ sha256 }, { $addToSet: { uploaders: uid } }, { returnDocument: 'after' });
  }

  /** Bytes a user has stored: the sizes of the distinct contents they uploaded (USER_STORAGE_QUOTA). */
  async storedBytes(uid: string): Promise<number> {
    const [row] = await this.db.files
      .aggregate<{ total: number }>([{ $match: { uploaders: uid } }, { $group: { _id: null, total: { $sum: '$size' } } }])
      .toArray();
    return row?.total ?? 0;
  }

  /** The file is about to be posted in a session: its members may fetch it from now on. */
  async linkSession(fileid: string, sessionid: string): Promise<void> {
    await this.db.files.updateOne({ _id: new ObjectId(fileid) }, { $addToSet: { sessionids: sessionid } });
  }

  /** The other half of the message-to-file link: the record lists the message that carries it. */
  async linkMessage(fileid: string, msgid: string, sessionid: string): Promise<void> {
    await this.db.files.updateOne({ _id: new ObjectId(fileid) }, { $addToSet: { msgids: msgid, sessionids: sessionid } });
  }

  /**
   * A message carrying the file was deleted (S24): the file no longer lists it, and a conversation
   * where no other live message carries it no longer opens the file to its members (the uploaders keep it).
   */
  async unlinkMessage(msgid: string, sessionid: string): Promise<void> {
    const files = await this.db.files.find({ msgids: msgid }, { projection: { _id: 1 } }).toArray();
    for (const { _id } of files) {
      const fileid = _id.toHexString();
      const stillShown = await this.db.messages.countDocuments(
        { sessionid, 'fileinfo.fileid': fileid, deleted: { $ne: true }, _id: { $ne: new ObjectId(msgid) } },
        { limit: 1 },
      );
      await this.db.files.updateOne({ _id }, { $pull: { msgids: msgid, ...(stillShown ? {} : { sessionids: sessionid }) } });
    }
  }

  async setAvatarPath(fileid: string, avatarpath: string): Promise<void> {
    await this.db.files.updateOne({ _id: new ObjectId(fileid) }, { $set: { avatarpath } });
  }

  /** The uploader of the bytes, or a member of a conversation where they were posted. */
  async mayAccess(file: FileDoc, uid: string): Promise<boolean> {
    if (file.uploaders.includes(uid)) return true;
    const ids = file.sessionids.filter((id) => ObjectId.isValid(id)).map((id) => new ObjectId(id));
    if (ids.length === 0) return false;
    return (await this.db.sessions.countDocuments({ _id: { $in: ids }, uids: uid }, { limit: 1 })) > 0;
  }
}
