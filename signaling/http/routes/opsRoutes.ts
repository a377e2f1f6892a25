import { Router } from 'express';
import type { AppContext } from '../../node/AppContext';

export interface OpsOptions {
  /** Metrics text for the whole node (all cluster workers), when running under the cluster primary. */
  clusterMetrics?: () => Promise<{ contentType: string; body: string }>;
}

/** GET /healthz (database reachable) and GET /metrics (Prometheus text). */
export function opsRoutes(ctx: AppContext, options: OpsOptions): Router {
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

  router.get('/metrics', async (_req, res) => {
    if (options.clusterMetrics) {
      const { contentType, body } = await options.clusterMetrics();
      res.type(contentType).send(body);
      return;
    }
    res.type(ctx.metrics.registry.contentType).send(await ctx.metrics.registry.metrics());
  });

  return router;
}
