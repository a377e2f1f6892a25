import { Router, type Request, type Response } from 'express';
import type { FileDoc } from '../../../storage/documents';
import type { FileStore } from '../../../storage/FileStore';
import { NotFoundError } from '../../errors/DomainError';
import { kindOfMime } from '../../files/ContentSniffer';
import { contentDisposition } from '../../files/fileNames';
import type { UrlVariant } from '../../files/UrlSigner';
import type { AppContext } from '../../node/AppContext';
import { ErrorCode } from '../../protocol/errors';
import { IdParam } from '../../protocol/schemas';
import { ApiError } from '../ApiError';
import { authenticate, bearerToken } from '../requireUser';
import { validate } from '../validate';

export type DownloadRouteDeps = Pick<AppContext, 'users' | 'tokens' | 'files' | 'uploads'>;

/** Content-addressed bytes never change: cache for a year. */
const IMMUTABLE = 'private, max-age=31536000, immutable';
/** A served file is never a document that runs anything. */
const FILE_CSP = "default-src 'none'; img-src 'self' data:; media-src 'self'; style-src 'unsafe-inline'; sandbox";

/**
 * Downloads (S9, S20): GET /api/files/:fileid[/thumb|/avatar], by signed URL or Bearer token (see
 * FileService.authorize), with ranges and immutable caching.
 */
export function downloadRoutes(deps: DownloadRouteDeps): Router {
  const router = Router();

  const serve = (variant: UrlVariant) => async (req: Request, res: Response) => {
    const fileid = validate(IdParam, req.params.fileid);
    const file = await deps.uploads.authorize(req, fileid, variant, bearerToken(req.get('authorization')), async (token) =>
      (await authenticate(deps, token))._id.toHexString(),
    );
    await sendVariant(deps.files, res, file, variant);
  };
  router.get('/files/:fileid', serve('file'));
  router.get('/files/:fileid/thumb', serve('thumb'));
  router.get('/files/:fileid/avatar', serve('avatar'));

  return router;
}

async function sendVariant(files: FileStore, res: Response, file: FileDoc, variant: UrlVariant): Promise<void> {
  const relative = variant === 'file' ? file.filepath : variant === 'thumb' ? file.thumbpath : file.avatarpath;
  if (!relative) throw new NotFoundError(ErrorCode.FileNotFound, `this file has no ${variant}`);
  const type = variant === 'file' ? file.filetype : 'image/webp';
  const inline = variant !== 'file' || kindOfMime(file.filetype) !== 'file';
  const name = variant === 'file' ? file.filename : `${file.filename.replace(/\.[^.]*$/, '')}.${variant}.webp`;
  res.set({
    'Content-Type': type,
    'Cache-Control': IMMUTABLE,
    'Content-Disposition': contentDisposition(inline ? 'inline' : 'attachment', name),
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': FILE_CSP,
    'Cross-Origin-Resource-Policy': 'same-site',
  });
  await new Promise<void>((resolve, reject) => {
    res.sendFile(files.absolutePath(relative), { dotfiles: 'allow', acceptRanges: true, etag: true, lastModified: true }, (err) => {
      if (!err || res.headersSent) return resolve();
      const status = (err as { status?: number; statusCode?: number }).status ?? (err as { statusCode?: number }).statusCode;
      if (status === 404) return reject(new NotFoundError(ErrorCode.FileNotFound, 'the stored file is missing'));
      if (status === 416) {
        res.set('Content-Range', `bytes */${file.size}`);
        return reject(new ApiError(416, ErrorCode.RangeNotSatisfiable, 'the requested range is outside the file'));
      }
      reject(err);
    });
  });
}
