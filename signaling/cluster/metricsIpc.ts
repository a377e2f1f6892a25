/**
 * Metrics of a whole node: the worker that receives GET /metrics asks the primary, which asks every
 * worker for its registry as JSON and merges them with prom-client's AggregatorRegistry.aggregate.
 */
import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry, type MetricObjectWithValues, type MetricValue, type Registry } from 'prom-client';

type MetricsJson = MetricObjectWithValues<MetricValue<string>>[];

interface Envelope {
  type: 'cookim:metrics' | 'cookim:metrics:collect' | 'cookim:metrics:reply' | 'cookim:metrics:collected';
  id: number;
  body?: string;
  contentType?: string;
  metrics?: MetricsJson;
}

const isEnvelope = (msg: unknown): msg is Envelope =>
  typeof msg === 'object' && msg !== null && typeof (msg as Envelope).type === 'string' && (msg as Envelope).type.startsWith('cookim:metrics');

let nextId = 0;

function awaitReply(source: NodeJS.EventEmitter, id: number, type: Envelope['type'], timeoutMs: number): Promise<Envelope> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      source.off('message', onMessage);
      reject(new Error('no metrics answer in time'));
    }, timeoutMs);
    const onMessage = (msg: unknown) => {
      if (!isEnvelope(msg) || msg.type !== type || msg.id !== id) return;
      clearTimeout(timer);
      source.off('message', onMessage);
      resolve(msg);
    };
    source.on('message', onMessage);
  });
}

/** In each worker: answer the primary's collection requests, and return how to fetch the node's metrics. */
export function serveWorkerMetrics(registry: Registry): () => Promise<{ contentType: string; body: string }> {
  process.on('message', (msg: unknown) => {
    if (!isEnvelope(msg) || msg.type !== 'cookim:metrics:collect') return;
    void registry.getMetricsAsJSON().then((metrics) =>
      process.send?.({ type: 'cookim:metrics:collected', id: msg.id, metrics: metrics as MetricsJson } satisfies Envelope),
    );
  });
  return async () => {
    const id = ++nextId;
    const reply = awaitReply(process, id, 'cookim:metrics:reply', 5000);
    process.send?.({ type: 'cookim:metrics', id } satisfies Envelope);
    const { body = '', contentType = 'text/plain' } = await reply;
    return { body, contentType };
  };
}

/** In the primary: answer workers' requests with every worker's metrics merged. */
export function servePrimaryMetrics(): void {
  cluster.on('message', (worker: Worker, msg: unknown) => {
    if (!isEnvelope(msg) || msg.type !== 'cookim:metrics') return;
    void collectAll().then(
      (merged) => worker.send({ type: 'cookim:metrics:reply', id: msg.id, ...merged } satisfies Envelope),
      (err: Error) => worker.send({ type: 'cookim:metrics:reply', id: msg.id, body: `# ${err.message}\n`, contentType: 'text/plain' } satisfies Envelope),
    );
  });
}

async function collectAll(): Promise<{ body: string; contentType: string }> {
  const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w && w.isConnected());
  const parts = await Promise.all(
    workers.map((w) => {
      const id = ++nextId;
      const reply = awaitReply(w, id, 'cookim:metrics:collected', 3000);
      w.send({ type: 'cookim:metrics:collect', id } satisfies Envelope);
      return reply.then((r) => r.metrics ?? []).catch(() => [] as MetricsJson);
    }),
  );
  const registry = AggregatorRegistry.aggregate(parts);
  return { body: await registry.metrics(), contentType: registry.contentType };
}
