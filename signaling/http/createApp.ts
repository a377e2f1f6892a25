import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import { trustFn } from '../net/proxyTrust';
import type { AppContext } from '../node/AppContext';
import { ErrorCode } from '../protocol/errors';
import { ApiError } from './ApiError';
import { errorAnswer } from '../errors/errorAnswer';
import { requireUser } from './requireUser';
import { accountRoutes } from './routes/accountRoutes';
import { attentionRoutes } from './routes/attentionRoutes';
import { pushRoutes } from './routes/pushRoutes';
import { blockRoutes } from './routes/blockRoutes';
import { friendRoutes } from './routes/friendRoutes';
import { inviteRoutes } from './routes/inviteRoutes';
import { downloadRoutes } from './routes/downloadRoutes';
import { historyRoutes } from './routes/historyRoutes';
import { liveRoutes } from './routes/liveRoutes';
import { memberRoutes } from './routes/memberRoutes';
import { opsRoutes, type OpsOptions } from './routes/opsRoutes';
import { profileRoutes } from './routes/profileRoutes';
import { searchRoutes } from './routes/searchRoutes';
import { sessionRoutes } from './routes/sessionRoutes';
import { uploadRoutes } from './routes/uploadRoutes';
import { userSearchRoutes } from './routes/userSearchRoutes';
import { securityHeaders } from './securityHeaders';
import { webClient } from './webClient';

export interface AppOptions extends OpsOptions {
  /** The built web client (web/dist), served at / with a fallback to index.html for client routes. */
  webRoot?: string;
}

/**
 * JSON bodies are UTF-8 (RFC 8259). body-parser would decode any charset starting with `utf-`
 * (utf-7 among them, which smuggles markup past filters that look for `<`): refuse every other one.
 */
const utf8Only: RequestHandler = (req, _res, next) => {
  const type = req.headers['content-type'];
  if (!type || !req.is(['application/json', 'application/*+json'])) return next();
  const charset = /;\s*charset\s*=\s*"?([^";\s]*)"?/i.exec(type)?.[1]?.toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    throw new ApiError(415, ErrorCode.InvalidInput, `unsupported charset "${charset.slice(0, 32)}": send UTF-8 JSON`);
  }
  next();
};

/** A 4xx raised by express's own parts (body-parser, serve-static) in the error shape. */
function clientError(status: number): ApiError {
  if (status === 400) return new ApiError(400, ErrorCode.InvalidInput, 'the request body could not be read (corrupt or truncated)');
  if (status === 404) return new ApiError(404, ErrorCode.NotFound, 'not found');
  if (status === 403) return new ApiError(403, ErrorCode.Forbidden, 'forbidden');
  if (status === 413) return new ApiError(413, ErrorCode.TooLarge, 'the body is too large');
  return new ApiError(status, ErrorCode.InvalidInput, 'the request cannot be served as sent');
}

/** The express app: the REST API of PROTOCOL.md, operations endpoints and the web client. */
export function createApp(ctx: AppContext, options: AppOptions = {}): Express {
  const app = express();
  app.disable('x-powered-by');
  // X-Forwarded-For/-Proto only from TRUST_PROXY's proxies: req.ip (rate limits, metrics) and req.secure (HSTS).
  app.set('trust proxy', trustFn(ctx.config.trustProxy));
  app.use((_req, res, next) => {
    res.on('finish', () => ctx.metrics.httpRequests.inc({ status: String(res.statusCode) }));
    next();
  });
  app.use(securityHeaders());
  app.use(opsRoutes(ctx, options));

  const api = express.Router();
  api.use(utf8Only);
  api.use(express.json({ limit: '64kb' }));
  api.use(accountRoutes(ctx));
  api.use(profileRoutes(ctx));
  api.use(userSearchRoutes(ctx));
  api.use(searchRoutes(ctx));
  api.use(pushRoutes(ctx));
  api.use(friendRoutes(ctx));
  api.use(blockRoutes(ctx));
  // Every /sessions path is for signed-in users, an unknown one too (401 before 404).
  api.use('/sessions', requireUser(ctx));
  api.use(sessionRoutes(ctx));
  api.use(attentionRoutes(ctx));
  api.use(memberRoutes(ctx));
  api.use(inviteRoutes(ctx));
  api.use(historyRoutes(ctx));
  api.use(uploadRoutes(ctx));
  api.use(downloadRoutes(ctx));
  api.use(liveRoutes(ctx));
  api.use((req) => {
    throw new ApiError(404, ErrorCode.NotFound, `no such endpoint: ${req.method} ${req.path}`);
  });
  app.use('/api', api);

  const webRoot = options.webRoot;
  if (webRoot && existsSync(path.join(webRoot, 'index.html'))) app.use(webClient(webRoot));

  const onError: ErrorRequestHandler = (err, req, res, _next) => {
    const answer = errorAnswer(bodyReaderError(err) ?? err);
    if (answer.status >= 500) ctx.logger.error({ err, method: req.method, path: req.path }, 'request failed');
    if (!res.headersSent) res.status(answer.status).json(answer.body);
  };
  app.use(onError);
  return app;
}

/** The body reader's failures (express.json, compression) as the client errors they are. */
function bodyReaderError(err: unknown): ApiError | null {
  if (err instanceof ApiError) return null;
  const type = (err as { type?: string }).type;
  const status = (err as { status?: unknown }).status;
  if (type === 'entity.parse.failed') return new ApiError(400, ErrorCode.InvalidJson, 'the body is not valid JSON');
  if (type === 'entity.too.large') return new ApiError(413, ErrorCode.TooLarge, 'the body is too large');
  if (type === 'charset.unsupported' || type === 'encoding.unsupported') return new ApiError(415, ErrorCode.InvalidInput, 'unsupported body encoding');
  // Any other client error of the body reader (a corrupt gzip/deflate/br body, a body cut short, a
  // length that does not match) is the client's fault, not a 500.
  if (typeof status === 'number' && status >= 400 && status < 500) return clientError(status);
  return null;
}
