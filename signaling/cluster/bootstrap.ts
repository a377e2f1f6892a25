import { Database } from '../../storage/Database';
import { SearchTermsBackfill } from '../../storage/SearchTermsBackfill';
import { ensurePeopleIndexes } from '../../storage/peopleIndexes';
import { resolveMongoUrl, type ResolvedMongo } from '../../storage/resolveMongoUrl';
import { loadJwtSecret } from '../auth/jwtSecret';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { resolveRedis, type ResolvedRedis } from '../broker/resolveRedis';

export interface Bootstrapped {
  mongo: ResolvedMongo;
  jwtSecret: string;
  /** The Redis for fan-out between nodes, or null (REDIS_URL=off, or no redis-server). */
  redis: ResolvedRedis | null;
}

/** What happens once per node before serving: pick the database and the broker, create the indexes, load the JWT secret. */
export async function bootstrap(config: Config, logger: Logger): Promise<Bootstrapped> {
  // The broker starts while the database is resolved.
  const redisPromise = resolveRedis({ redisUrl: config.redisUrl, dataDir: config.dataDir, idleMs: config.redisIdleMs, logger });
  const mongo = await resolveMongoUrl({ mongoUrl: config.mongoUrl, dataDir: config.dataDir, logger });
  const db = await Database.connect({ url: mongo.url, dbName: config.mongoDb, onlineTtlSeconds: config.onlineTtl });
  try {
    await db.ensureIndexes();
    await ensurePeopleIndexes(db);
    await new SearchTermsBackfill(db, logger).run();
  } finally {
    await db.close();
  }
  const redis = await redisPromise;
  return { mongo, jwtSecret: loadJwtSecret(config.jwtSecret, config.dataDir), redis };
}
