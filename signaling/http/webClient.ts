/**
 * The built web client (web/dist). Files under assets/ carry a content hash in their name (or, for
 * the Twemoji set, the set's version in their folder): they never change, so browsers keep them a
 * year without asking. Everything else (index.html, the manifest, icons) is revalidated every time,
 * so a deploy is picked up at the next load. scripts/build-web.mjs writes .br and .gz next to each
 * compressible file; the best one the browser accepts is sent (Vary: Accept-Encoding).
 */
import path from 'node:path';
import { Router } from 'express';
import expressStaticGzip from 'express-static-gzip';
import { ErrorCode } from '../protocol/errors';
import { ApiError } from './ApiError';

const IMMUTABLE = 'public, max-age=31536000, immutable';

export function webClient(webRoot: string): Router {
  const router = Router();
  const assetsDir = `${path.join(webRoot, 'assets')}${path.sep}`;
  router.use(
    expressStaticGzip(webRoot, {
      enableBrotli: true,
      orderPreference: ['br', 'gzip'],
      index: false,
      serveStatic: {
        index: false,
        cacheControl: false,
        setHeaders(res, file) {
          res.setHeader('Cache-Control', file.startsWith(assetsDir) ? IMMUTABLE : 'no-cache');
          res.setHeader('Vary', 'Accept-Encoding');
        },
      },
    }),
  );
  // A hashed file that is not there (an old page asking for a replaced build) is a 404, not the
  // app's index.html under a script's name.
  router.use('/assets', (req) => {
    throw new ApiError(404, ErrorCode.NotFound, `no such asset: ${req.path}`);
  });
  router.get(/^\/(?!api\/|socket\.io\/).*/, (_req, res) => {
    res.sendFile(path.join(webRoot, 'index.html'), { headers: { 'Cache-Control': 'no-cache' } });
  });
  return router;
}
