/** A worker asks the primary for the metrics of every worker (prom-client's AggregatorRegistry lives there). */
export interface MetricsRequest {
  type: 'cookim:metrics';
  id: number;
}

export interface MetricsReply {
  type: 'cookim:metrics:reply';
  id: number;
  body: string;
  contentType: string;
}

export function isMetricsRequest(msg: unknown): msg is MetricsRequest {
  return typeof msg === 'object' && msg !== null && (msg as MetricsRequest).type === 'cookim:metrics';
}

let nextId = 0;

/** From a worker: the whole node's metrics, merged by the primary. */
export function requestClusterMetrics(timeoutMs = 5000): Promise<{ contentType: string; body: string }> {
  const id = ++nextId;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      process.off('message', onMessage);
      reject(new Error('the primary did not answer'));
    }, timeoutMs);
    const onMessage = (msg: unknown) => {
      const reply = msg as MetricsReply;
      if (reply?.type !== 'cookim:metrics:reply' || reply.id !== id) return;
      clearTimeout(timer);
      process.off('message', onMessage);
      resolve({ contentType: reply.contentType, body: reply.body });
    };
    process.on('message', onMessage);
    process.send?.({ type: 'cookim:metrics', id } satisfies MetricsRequest);
  });
}
