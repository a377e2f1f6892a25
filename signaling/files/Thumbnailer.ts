import sharp from 'sharp';
import { ErrorCode } from '../protocol/errors';
import { DomainError, InvalidRequestError } from '../errors/DomainError';

export interface ImageFacts {
  /** Upright size (EXIF orientation applied). */
  width: number;
  height: number;
}

export const THUMB_SIZE = 256;
export const AVATAR_SIZE = 200;

/**
 * Image work with sharp: decoding is bounded (`limitInputPixels`: decompression bombs are refused),
 * EXIF orientation is honoured (`.rotate()`), animated images give their first frame, and a broken
 * body (valid signature, truncated or corrupt data) is an `invalid_image`, never a crash.
 */
export class Thumbnailer {
  constructor(private readonly maxPixels: number) {}

  private open(file: string) {
    // failOn 'truncated': refuse cut-off and undecodable images, tolerate the minor warnings real cameras produce.
    return sharp(file, { limitInputPixels: this.maxPixels, failOn: 'truncated', sequentialRead: true });
  }

  /** Reads the size and writes the 256 px WebP thumbnail; throws invalid_image when the image does not decode. */
  async thumbnail(file: string, out: string): Promise<ImageFacts> {
    try {
      const meta = await this.open(file).metadata();
      const rotated = (meta.orientation ?? 1) >= 5;
      const width = meta.width ?? 0;
      const height = meta.pageHeight ?? meta.height ?? 0;
      if (!width || !height) throw new Error('no size');
      await this.open(file)
        .rotate()
        .resize(THUMB_SIZE, THUMB_SIZE, { fit: 'inside', withoutEnlargement: true })
        .webp({ quality: 78, effort: 2 })
        .toFile(out);
      return rotated ? { width: height, height: width } : { width, height };
    } catch (err) {
      throw imageError(err);
    }
  }

  /** The 200x200 avatar cut (cover: the centre of the upright image). */
  async avatar(file: string, out: string): Promise<void> {
    try {
      await this.open(file).rotate().resize(AVATAR_SIZE, AVATAR_SIZE, { fit: 'cover' }).webp({ quality: 82 }).toFile(out);
    } catch (err) {
      throw imageError(err);
    }
  }
}

function imageError(err: unknown): Error {
  if (err instanceof DomainError) return err;
  // File-system trouble (ENOSPC, EACCES, ...) is the server's, not the image's.
  if (typeof (err as { code?: unknown })?.code === 'string') throw err;
  const text = err instanceof Error ? err.message : String(err);
  if (/pixel limit/i.test(text)) return new InvalidRequestError('the image has too many pixels', ErrorCode.InvalidImage);
  return new InvalidRequestError(`the image cannot be decoded (${text.split('\n')[0].slice(0, 120)})`, ErrorCode.InvalidImage);
}
