import { createHash, timingSafeEqual } from 'node:crypto';
import { Router, type Request, type RequestHandler } from 'express';
import { addressMatcher } from '../../net/proxyTrust';
import type { AppContext } from '../../node/AppContext';
import { ErrorCode } from '../../protocol/errors';
import { ApiError } from '../ApiError';

export interface OpsOptions {
  /** Metrics text for the whole node (all cluster workers), when running under the cluster primary. */
  clusterMetrics?: () => Promise<{ contentType: string; body: string }>;
}

const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * /metrics tells how busy the node is and what it runs: readable with the bearer METRICS_TOKEN, or
 * from an address in METRICS_ALLOW (the client address by the TRUST_PROXY rule, req.ip).
 */
function metricsAccess({ metricsToken, metricsAllow }: AppContext['config']): RequestHandler {
  const allowed = addressMatcher(metricsAllow);
  const expected = metricsToken ? digest(metricsToken) : undefined;
  const bearer = (req: Request) => /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '')?.[1];
  return (req, res, next) => {
    const token = bearer(req);
    // Hashes of equal length: the comparison takes the same time whatever the guess.
    if (expected && token && timingSafeEqual(digest(token), expected)) return next();
    if (allowed(req.ip)) return next();
    if (expected) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
      throw new ApiError(401, ErrorCode.Unauthorized, token ? 'wrong metrics token' : 'metrics need Authorization: Bearer <METRICS_TOKEN>');
    }
    throw new ApiError(403, ErrorCode.Forbidden, 'metrics are readable only from the addresses in METRICS_ALLOW');
  };
}

/** GET /healthz (database reachable) and GET /metrics (Prometheus text, token or allow-list). */
export function opsRoutes(ctx: Pick<AppContext, 'config' | 'db' | 'nodeId' | 'metrics'>, options: OpsOptions): Router {
  const router = Router();

  router.get('/healthz', async (_req, res) => {
    let timer: NodeJS.Timeout | undefined;
    try {
      // A load balancer's check must not hang for the driver's whole server-selection timeout.
      await Promise.race([
        ctx.db.ping(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('database ping timed out')), 2000);
        }),
      ]).finally(() => clearTimeout(timer));
      res.json({ ok: true, node: ctx.nodeId });
    } catch {
      res.status(503).json({ error: { code: 'unavailable', message: 'the database is not reachable', retryable: true } });
    }
  });

  router.get('/metrics', metricsAccess(ctx.config), async (_req, res) => {
    if (options.clusterMetrics) {
      const { contentType, body } = await options.clusterMetrics();
      res.type(contentType).send(body);
      return;
    }
    res.type(ctx.metrics.registry.contentType).send(await ctx.metrics.registry.metrics());
  });

  return router;
}
