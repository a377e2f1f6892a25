import { createAdapter as createClusterAdapter } from '@socket.io/cluster-adapter';
import { createAdapter as createRedisStreamsAdapter } from '@socket.io/redis-streams-adapter';
import type { Logger } from 'pino';
import { createClient } from 'redis';
import type { Server } from 'socket.io';

export interface BrokerOptions {
  /** The Redis to use, or undefined / `off` for none. */
  redisUrl?: string;
  /** Stream and channel names: nodes with the same prefix share rooms (default: per database). */
  prefix: string;
  logger: Logger;
  /** This process is a worker of a cluster primary: without Redis, rooms are shared over IPC. */
  clusterWorker: boolean;
  connectTimeoutMs?: number;
}

export interface Broker {
  kind: 'redis-streams' | 'cluster' | 'memory';
  close(): Promise<void>;
}

/**
 * Sets the Socket.IO adapter of this process: the Redis Streams adapter when there is a Redis (every
 * process of every node then shares rooms, serverSideEmit with acks included); otherwise
 * @socket.io/cluster-adapter between the workers of this node, or the in-memory one for a
 * single-process node. The Redis client queues commands while Redis is away and reconnects by itself;
 * the adapter resumes reading its stream where it stopped.
 */
export async function useBrokerAdapter(io: Server<any, any, any, any>, options: BrokerOptions): Promise<Broker> {
  const { redisUrl, logger } = options;
  if (!redisUrl || redisUrl === 'off') {
    if (options.clusterWorker) {
      io.adapter(createClusterAdapter());
      return { kind: 'cluster', close: async () => undefined };
    }
    return { kind: 'memory', close: async () => undefined };
  }
  let lastErrorLog = 0;
  const client = createClient({
    url: redisUrl,
    socket: { reconnectStrategy: (retries: number) => Math.min(50 * 2 ** Math.min(retries, 6), 2000), connectTimeout: 5000 },
  });
  client.on('error', (err: Error) => {
    if (Date.now() - lastErrorLog < 5000) return;
    lastErrorLog = Date.now();
    logger.warn({ err: err.message }, 'redis connection error (fan-out between nodes waits; the client reconnects by itself)');
  });
  client.on('ready', () => {
    if (lastErrorLog) logger.info('redis connection restored');
  });
  const timeoutMs = options.connectTimeoutMs ?? 30_000;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.connect(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`redis at ${redisUrl} did not answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } catch (err) {
    await client.destroy();
    throw err;
  } finally {
    clearTimeout(timer);
  }
  io.adapter(createRedisStreamsAdapter(client, { streamName: options.prefix, channelPrefix: options.prefix }));
  return {
    kind: 'redis-streams',
    close: async () => {
      await client.close().catch(() => client.destroy());
    },
  };
}

/** Stream and channel names in Redis: nodes on the same database share rooms. */
export const brokerPrefix = (mongoDb: string): string => `cookim:${mongoDb}`;
