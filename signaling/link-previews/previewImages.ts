import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import sharp from 'sharp';
import type { FileStore } from '../../storage/FileStore';
import { sniffFile } from '../files/ContentSniffer';
import type { Thumbnailer } from '../files/Thumbnailer';
import { LinkPreviewError, UnsupportedContentError } from './linkPreviewErrors';

/**
 * Who "uploaded" a preview image: not a user (no uid looks like this), so the image counts against
 * nobody's storage quota and nobody may post it as their own file; only members of conversations
 * where a message previews it may fetch it (FileStore.mayAccess, through the file's `sessionids`).
 */
export const PREVIEW_UPLOADER = 'link-preview';

/**
 * Stores a page's image as a product file: never the fetched bytes themselves, but the thumbnailer's
 * re-encoding (at most 256 px WebP, first frame, metadata dropped), kept like an upload under its
 * sha256 in the `files` collection, so it is served and access-checked like every other file.
 */
export class PreviewImages {
  constructor(
    private readonly files: FileStore,
    private readonly thumbnailer: Thumbnailer,
  ) {}

  /** Re-encodes and stores the image; answers its fileid. */
  async store(bytes: Buffer): Promise<string> {
    const original = this.files.tempPath();
    const encoded = this.files.tempPath('.webp');
    try {
      await writeFile(original, bytes);
      // The bytes decide, not the Content-Type: only formats the thumbnailer decodes (no SVG).
      const sniffed = await sniffFile(original);
      if (sniffed.kind !== 'image') throw new UnsupportedContentError(`the image is ${sniffed.mime}`);
      try {
        await this.thumbnailer.thumbnail(original, encoded);
      } catch (err) {
        throw new LinkPreviewError('invalid_image', err instanceof Error ? err.message : String(err));
      }
      const output = await readFile(encoded);
      const { width, height } = await sharp(output).metadata();
      const sha256 = createHash('sha256').update(output).digest('hex');
      const md5 = createHash('md5').update(output).digest('hex');
      const filepath = await this.files.commit(encoded, sha256, 'content');
      const { file } = await this.files.create({
        md5,
        sha256,
        size: output.length,
        filetype: 'image/webp',
        kind: 'image',
        filename: 'link-preview.webp',
        filepath,
        ...(width && height ? { width, height } : {}),
        uploader: PREVIEW_UPLOADER,
      });
      return file._id.toHexString();
    } finally {
      await Promise.all([this.files.remove(original).catch(() => undefined), this.files.remove(encoded).catch(() => undefined)]);
    }
  }
}
