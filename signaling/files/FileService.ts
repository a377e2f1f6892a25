import type { Request } from 'express';
import type { Logger } from 'pino';
import { FileStore } from '../../storage/FileStore';
import type { FileDoc, FileInfoDoc } from '../../storage/documents';
import { ErrorCode } from '../protocol/errors';
import { MsgType, type FileInfo } from '../protocol/models';
import { Md5Param } from '../protocol/schemas';
import { DeniedError, InvalidRequestError, NotAuthenticatedError, NotFoundError, TooLargeError } from '../errors/DomainError';
import { claimedFamilies, fitsMsgType, msgTypeNoun, sniffFile, unmetClaim } from './ContentSniffer';
import { sanitizeFileName } from './fileNames';
import type { Thumbnailer } from './Thumbnailer';
import { PerUserQueue } from './PerUserQueue';
import type { ReceivedUpload } from './UploadReceiver';
import { UrlSigner, type UrlVariant } from './UrlSigner';

/** A stored file as upload and lookup answers carry it. */
export type FileAnswer = FileInfo & { kind: NonNullable<FileInfo['kind']> };

/** The path of a user's avatar as stored on the user (signed when handed out). */
export const avatarPath = (fileid: string): string => UrlSigner.path(fileid, 'avatar');
const AVATAR_PATH = /^\/api\/files\/([0-9a-f]{24})\/avatar(?:\?.*)?$/;

/** The fileid an avatar value names (a fileid, or an avatar path as handed out), or null. */
export function avatarFileId(value: string): string | null {
  if (/^[0-9a-f]{24}$/.test(value)) return value;
  return AVATAR_PATH.exec(value)?.[1] ?? null;
}

/** How an upload is to be taken in. */
export interface IngestOptions {
  /** The md5 given as `?md5=` (the form field wins). */
  queryMd5?: unknown;
  /**
   * The message type the client means to send it as: 4 (file) accepts any bytes, the others need
   * matching content; without it the client's claim (declared type, name) must hold.
   */
  intent?: MsgType;
  /** Bytes the user may have stored in all (USER_STORAGE_QUOTA); 0 or absent: unlimited. */
  quotaBytes?: number;
  /** A still that stands for a video (a recorded call's frame): its thumbnail becomes the file's. */
  posterImage?: string;
}

/** The one answer for an md5 the caller may not use: the same as for bytes nobody stored. */
export function unknownMd5(): NotFoundError {
  return new NotFoundError(ErrorCode.FileNotFound, 'no file with that md5; upload it first (POST /api/files)');
}

/**
 * Media-independent file logic (S9, S20): checks an arrived upload (md5, content type, image body),
 * stores it once per content (keyed by sha256) with its thumbnail, answers stored files with signed
 * URLs, and decides who may fetch them.
 */
export class FileService {
  private readonly storing = new PerUserQueue();

  constructor(
    readonly store: FileStore,
    private readonly thumbnailer: Thumbnailer,
    readonly urls: UrlSigner,
    private readonly logger: Logger,
  ) {}

  /**
   * Checks and stores an upload; answers the file record (an existing one for the same bytes, by
   * sha256: an equal md5 alone is not the same content). The caller removes `upload.tempFile`
   * afterwards (it is gone already when it was stored).
   */
  async ingest(upload: ReceivedUpload, uid: string, options: IngestOptions = {}): Promise<FileDoc> {
    const { queryMd5, intent, quotaBytes = 0, posterImage } = options;
    const given = upload.fields.md5 ?? (typeof queryMd5 === 'string' ? queryMd5 : undefined);
    if (given === undefined) throw new InvalidRequestError('md5: send the md5 of the file (form field or ?md5=)');
    const parsed = Md5Param.safeParse(given.trim());
    if (!parsed.success) throw new InvalidRequestError('md5: must be 32 hex digits');
    if (parsed.data !== upload.md5) {
      throw new InvalidRequestError(`the md5 of the received bytes (${upload.md5}) is not the one sent (${parsed.data})`, ErrorCode.Md5Mismatch);
    }
    if (upload.size === 0) throw new InvalidRequestError('the file is empty', ErrorCode.InvalidFile);
    return this.storing.run(uid, () => this.storeChecked(upload, uid, intent, quotaBytes, posterImage));
  }

  /** Stores a checked upload (one at a time per user, so the quota holds for concurrent uploads). */
  private async storeChecked(upload: ReceivedUpload, uid: string, intent: MsgType | undefined, quotaBytes: number, posterImage?: string): Promise<FileDoc> {
    const { md5, sha256 } = upload;
    const claims = claimedFamilies(upload.declaredMime, upload.clientName);

    const existing = (await this.store.findBySha256(sha256)) ?? (await this.store.adoptLegacy(md5, sha256));
    if (existing) {
      this.checkContent(existing.filetype, existing.kind, claims, intent);
      // Bytes the user has stored already cost nothing again.
      if (!existing.uploaders.includes(uid)) await this.checkQuota(uid, existing.size, quotaBytes);
      // The record outlived its bytes (a data directory restored without its files): these bytes are the same, put them back.
      if (!(await this.store.exists(existing.filepath))) await this.store.place(upload.tempFile, existing.filepath);
      return (await this.store.addUploader(sha256, uid)) ?? existing;
    }

    const sniffed = await sniffFile(upload.tempFile);
    this.checkContent(sniffed.mime, sniffed.kind, claims, intent);
    await this.checkQuota(uid, upload.size, quotaBytes);
    let image: { thumbpath: string; width: number; height: number } | undefined;
    const thumbSource = sniffed.kind === 'image' ? upload.tempFile : posterImage;
    if (thumbSource) {
      const thumbTemp = this.store.tempPath('.webp');
      try {
        const facts = await this.thumbnailer.thumbnail(thumbSource, thumbTemp);
        image = { ...facts, thumbpath: await this.store.commit(thumbTemp, sha256, 'thumb') };
      } finally {
        await this.store.remove(thumbTemp).catch(() => undefined);
      }
    }
    const filepath = await this.store.commit(upload.tempFile, sha256, 'content');
    const { file, created } = await this.store.create({
      md5,
      sha256,
      size: upload.size,
      filetype: sniffed.mime,
      kind: sniffed.kind,
      filename: sanitizeFileName(upload.clientName),
      filepath,
      ...(image ?? {}),
      uploader: uid,
    });
    if (created) this.logger.debug({ fileid: file._id.toHexString(), sha256, size: upload.size, type: sniffed.mime }, 'file stored');
    return file;
  }

  /**
   * Refuses an upload that would take the user beyond their quota. Checked before the bytes are
   * kept, so a refused upload leaves nothing. A user's uploads take turns in one process; uploads of
   * one user on different processes at the same moment may overshoot it by their sizes.
   */
  private async checkQuota(uid: string, cost: number, quotaBytes: number): Promise<void> {
    if (quotaBytes <= 0) return;
    const used = await this.store.storedBytes(uid);
    if (used + cost > quotaBytes) {
      throw new TooLargeError(`your file storage is full: ${used} of ${quotaBytes} bytes used, and this file needs ${cost} more`, ErrorCode.QuotaExceeded);
    }
  }

  /** A user's storage use and quota (null: unlimited), for clients to show. */
  async storage(uid: string, quotaBytes: number): Promise<{ used: number; quota: number | null }> {
    return { used: await this.store.storedBytes(uid), quota: quotaBytes > 0 ? quotaBytes : null };
  }

  /** The stored file with this md5 the user may read, or the same not-found error as for unknown bytes. */
  async readableByMd5(md5: string, uid: string): Promise<FileDoc> {
    const file = await this.store.readableByMd5(md5, uid);
    if (!file) throw unknownMd5();
    return file;
  }

  private checkContent(mime: string, kind: FileDoc['kind'], claims: Set<'image' | 'audio' | 'video'>, intent?: MsgType): void {
    if (intent !== undefined) {
      if (fitsMsgType(intent, kind, mime)) return;
      const hint = intent === MsgType.Image && mime.startsWith('image/') ? ` (${mime} cannot be shown inline; send it as a file, msgtype 4)` : ` (detected ${mime})`;
      throw new InvalidRequestError(`the content is not ${msgTypeNoun[intent]}${hint}`, ErrorCode.InvalidFile);
    }
    const unmet = unmetClaim(claims, mime);
    if (unmet) {
      throw new InvalidRequestError(
        `the file claims to be ${unmet === 'image' ? 'an' : 'a'} ${unmet} but its content is not one (detected ${mime}); send it as a file (msgtype 4)`,
        ErrorCode.InvalidFile,
      );
    }
  }

  /** Refuses a stored file that does not fit a message type (file messages, S8 msgtype 1-4). */
  checkMsgType(file: FileDoc, msgtype: MsgType): void {
    if (!fitsMsgType(msgtype, file.kind, file.filetype)) {
      throw new InvalidRequestError(`msgtype ${msgtype} needs ${msgTypeNoun[msgtype]}; this file is ${file.filetype}`, ErrorCode.InvalidFile);
    }
  }

  /** A stored file as answered to a user; `signed` only for users allowed to see it. */
  answer(file: FileDoc, signed: boolean, filename?: string): FileAnswer {
    const fileid = file._id.toHexString();
    const url = (variant: UrlVariant) => (signed ? this.urls.url(fileid, variant) : UrlSigner.path(fileid, variant));
    return {
      fileid,
      filemd5: file.md5,
      size: file.size,
      filetype: file.filetype,
      filename: filename || file.filename,
      url: url('file'),
      ...(file.thumbpath ? { thumbUrl: url('thumb') } : {}),
      ...(file.width && file.height ? { width: file.width, height: file.height } : {}),
      kind: file.kind,
    };
  }

  /** What a message stores about its file (S8 fileinfo). */
  infoFor(file: FileDoc, filename?: string): FileInfoDoc {
    return {
      fileid: file._id.toHexString(),
      filepath: file.filepath,
      filename: filename ? sanitizeFileName(filename, file.filename) : file.filename,
      filetype: file.filetype,
      filemd5: file.md5,
      size: file.size,
      dateline: file.dateline,
      ...(file.thumbpath ? { thumbpath: file.thumbpath } : {}),
      ...(file.width && file.height ? { width: file.width, height: file.height } : {}),
    };
  }

  /** Makes (once) the 200x200 avatar cut of an image the user uploaded; answers the avatar path. */
  async makeAvatar(fileid: string, uid: string): Promise<string> {
    const file = await this.store.get(fileid);
    if (!file) throw new NotFoundError(ErrorCode.FileNotFound, 'avatar: no such file; upload the image first');
    if (!file.uploaders.includes(uid)) throw new DeniedError(ErrorCode.Forbidden, 'avatar: use an image you uploaded');
    if (file.kind !== 'image') throw new InvalidRequestError(`avatar: the file is not an image (${file.filetype})`, ErrorCode.InvalidFile);
    if (!file.avatarpath || !(await this.store.exists(file.avatarpath))) {
      const temp = this.store.tempPath('.webp');
      try {
        await this.thumbnailer.avatar(this.store.absolutePath(file.filepath), temp);
        await this.store.setAvatarPath(fileid, await this.store.commit(temp, FileStore.contentKey(file), 'avatar'));
      } finally {
        await this.store.remove(temp).catch(() => undefined);
      }
    }
    return avatarPath(fileid);
  }

  /**
   * Who may fetch a variant: anyone holding a valid signed URL; otherwise a signed-in user (Bearer)
   * who uploaded the bytes or belongs to a conversation where they were posted (avatars: any
   * signed-in user). `authenticate` resolves a Bearer token to a uid (and throws on a bad one).
   */
  async authorize(req: Request, fileid: string, variant: UrlVariant, bearer: string | null, authenticate: (token: string) => Promise<string>): Promise<FileDoc> {
    const { exp, sig } = req.query;
    const hasSignature = exp !== undefined || sig !== undefined;
    const check = hasSignature ? this.urls.verify(fileid, variant, exp, sig) : null;
    if (check === 'ok') return this.mustExist(fileid);
    if (!bearer) {
      if (check === 'expired') throw new NotAuthenticatedError(ErrorCode.UrlExpired, 'the file URL has expired; fetch the message or file again for a fresh one');
      if (check === 'invalid') throw new DeniedError(ErrorCode.InvalidSignature, 'the file URL signature is not valid');
      throw new NotAuthenticatedError(ErrorCode.Unauthorized, 'use the signed file URL, or sign in (Authorization: Bearer <token>)');
    }
    const uid = await authenticate(bearer);
    const file = await this.mustExist(fileid);
    if (variant === 'avatar' && file.avatarpath) return file;
    if (!(await this.store.mayAccess(file, uid))) {
      throw new DeniedError(ErrorCode.NotMember, 'only members of a conversation where this file was posted, or its uploader, may fetch it');
    }
    return file;
  }

  private async mustExist(fileid: string): Promise<FileDoc> {
    const file = await this.store.get(fileid);
    if (!file) throw new NotFoundError(ErrorCode.FileNotFound, 'no such file');
    return file;
  }
}

