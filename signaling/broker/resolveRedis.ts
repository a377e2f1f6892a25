import type { Logger } from 'pino';
import { ensureEmbeddedRedis } from '../../standins';

export type RedisKind = 'external' | 'embedded';

export interface ResolvedRedis {
  url: string;
  kind: RedisKind;
}

export interface ResolveRedisOptions {
  /** REDIS_URL: used as given; `off` disables Redis. */
  redisUrl?: string;
  dataDir: string;
  idleMs?: number;
  logger: Logger;
}

export const FANOUT_OFF_MESSAGE =
  'multi-node fan-out is off: other nodes (other ports or hosts) will not see this node\'s messages, presence or typing; ' +
  'the processes of this node share rooms through @socket.io/cluster-adapter. Install redis-server (npm start does, as root) or set REDIS_URL';

/**
 * The broker every process of every node uses for fan-out (S1, S21): REDIS_URL when set; else the
 * embedded Redis of this DATA_DIR (Debian's redis-server, started detached and shared by every node
 * on the same DATA_DIR); null when REDIS_URL=off or redis-server is not installed (then fan-out stays
 * inside one node, over the cluster adapter).
 */
export async function resolveRedis(options: ResolveRedisOptions): Promise<ResolvedRedis | null> {
  const { redisUrl, dataDir, logger } = options;
  if (redisUrl === 'off') {
    logger.warn({ reason: 'REDIS_URL=off' }, FANOUT_OFF_MESSAGE);
    return null;
  }
  if (redisUrl) return { url: redisUrl, kind: 'external' };
  try {
    const { url, started } = await ensureEmbeddedRedis({ dataDir, idleMs: options.idleMs, logger });
    logger.info(
      { url, reused: !started, idleMs: options.idleMs },
      'using the embedded Redis of this DATA_DIR for fan-out between nodes (it stops once no node has used it for REDIS_IDLE_MS; set REDIS_URL for a shared Redis across hosts)',
    );
    return { url, kind: 'embedded' };
  } catch (err) {
    logger.warn({ reason: (err as Error).message }, FANOUT_OFF_MESSAGE);
    return null;
  }
}
