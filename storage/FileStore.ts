import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { mkdir, readdir, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { ObjectId } from 'mongodb';
import type { Database } from './Database';
import type { FileDoc } from './documents';
import { isDuplicateKeyError } from './errors';

/** Stored variants of one content: the bytes as uploaded, the image thumbnail and the avatar cut. */
export type BlobVariant = 'content' | 'thumb' | 'avatar';

const variantSuffix: Record<BlobVariant, string> = { content: '', thumb: '.thumb.webp', avatar: '.avatar.webp' };
const MD5 = /^[0-9a-f]{32}$/;

/** A file record to create: everything but the id and the links, which the store manages. */
export type NewFile = Omit<FileDoc, '_id' | 'uploaders' | 'msgids' | 'sessionids' | 'dateline'>;

/**
 * Files on disk and their records in the `files` collection (S9, S20).
 *
 * Disk: everything lives under `<dataDir>/files`. Content is stored under its md5
 * (`files/ab/cd/<md5>`, derived variants beside it), so names never come from clients and the same
 * bytes have one place; uploads are written to `files/tmp/` first and renamed into place (atomic,
 * and a rename over an identical copy from a concurrent upload is harmless). Record paths are
 * relative to the data directory so it can move.
 *
 * Records: one per md5 (unique index); the second of two concurrent uploads meets the first one's
 * record and joins it as an uploader.
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

  /** Where a variant of the content with this md5 is stored, relative to the data directory. */
  relativePath(md5: string, variant: BlobVariant): string {
    if (!MD5.test(md5)) throw new Error(`not an md5: ${md5}`);
    return path.posix.join('files', md5.slice(0, 2), md5.slice(2, 4), `${md5}${variantSuffix[variant]}`);
  }

  /** The absolute path of a stored (relative) path; refuses anything that would leave the files directory. */
  absolutePath(relative: string): string {
    const full = path.resolve(this.dataDir, relative);
    if (!full.startsWith(this.filesDir + path.sep)) throw new Error(`stored path outside the files directory: ${relative}`);
    return full;
  }

  /** Moves a finished temporary file to its content-addressed place; answers the relative path. */
  async commit(tempFile: string, md5: string, variant: BlobVariant): Promise<string> {
    const relative = this.relativePath(md5, variant);
    const target = this.absolutePath(relative);
    await mkdir(path.dirname(target), { recursive: true });
    await rename(tempFile, target);
    return relative;
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

  /** Deletes temporary files older than `maxAgeMs` (uploads interrupted by a crash). */
  async sweepTemp(maxAgeMs = 3600_000): Promise<number> {
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

  findByMd5(md5: string): Promise<FileDoc | null> {
    return this.db.files.findOne({ md5 });
  }

  async get(fileid: string): Promise<FileDoc | null> {
    if (!ObjectId.isValid(fileid)) return null;
    return this.db.files.findOne({ _id: new ObjectId(fileid) });
  }

  /**
   * Records a stored content. When a record for the md5 exists already (an earlier or a concurrent
   * upload), that one is answered, with `uploader` added to its uploaders: one record per content.
   */
  async create(input: NewFile): Promise<{ file: FileDoc; created: boolean }> {
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
    const existing = await this.addUploader(input.md5, input.uploader);
    if (!existing) throw new Error(`file record for ${input.md5} vanished`);
    return { file: existing, created: false };
  }

  /** Adds a user to the uploaders of the content with this md5; answers the record (null if none). */
  addUploader(md5: string, uid: string): Promise<FileDoc | null> {
    return this.db.files.findOneAndUpdate({ md5 }, { $addToSet: { uploaders: uid } }, { returnDocument: 'after' });
  }

  /** The file is about to be posted in a session: its members may fetch it from now on. */
  async linkSession(fileid: string, sessionid: string): Promise<void> {
    await this.db.files.updateOne({ _id: new ObjectId(fileid) }, { $addToSet: { sessionids: sessionid } });
  }

  /** The other half of the message-to-file link: the record lists the message that carries it. */
  async linkMessage(fileid: string, msgid: string, sessionid: string): Promise<void> {
    await this.db.files.updateOne({ _id: new ObjectId(fileid) }, { $addToSet: { msgids: msgid, sessionids: sessionid } });
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
