import client from 'prom-client';

/** The node's Prometheus metrics (GET /metrics); one registry per process, merged by the cluster primary. */
export class Metrics {
  readonly registry = new client.Registry();
  readonly connectedSockets = new client.Gauge({ name: 'cookim_connected_sockets', help: 'Connected Socket.IO clients', registers: [this.registry] });
  readonly messagesStored = new client.Counter({ name: 'cookim_messages_stored_total', help: 'Messages stored (rate() gives messages/s)', registers: [this.registry] });
  readonly messagesRejected = new client.Counter({
    name: 'cookim_messages_rejected_total',
    help: 'message:send requests answered with an error',
    labelNames: ['code'],
    registers: [this.registry],
  });
  readonly batchSize = new client.Histogram({
    name: 'cookim_store_batch_size',
    help: 'Messages per insertMany',
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500],
    registers: [this.registry],
  });
  readonly storeLatency = new client.Histogram({
    name: 'cookim_store_latency_seconds',
    help: 'Time of one batch insert',
    buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly httpRequests = new client.Counter({
    name: 'cookim_http_requests_total',
    help: 'HTTP API requests',
    labelNames: ['status'],
    registers: [this.registry],
  });

  // Calls (S18), per process: the primary sums them.
  readonly callsActive = new client.Gauge({ name: 'cookim_calls_active', help: 'Calls going on (owned by this process)', registers: [this.registry] });
  readonly callParticipants = new client.Gauge({ name: 'cookim_call_participants', help: 'Participants in calls', registers: [this.registry] });
  readonly mediaProducers = new client.Gauge({ name: 'cookim_media_producers', help: 'mediasoup producers of calls', registers: [this.registry] });
  readonly mediaConsumers = new client.Gauge({ name: 'cookim_media_consumers', help: 'mediasoup consumers of calls', registers: [this.registry] });

  readonly liveStreams = new client.Gauge({ name: 'cookim_live_streams', help: 'Live streams transcoded by this process', registers: [this.registry] });

  constructor() {
    client.collectDefaultMetrics({ register: this.registry });
  }
}
