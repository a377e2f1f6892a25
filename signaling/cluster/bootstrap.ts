import { Database } from '../../storage/Database';
import { resolveMongoUrl, type ResolvedMongo } from '../../storage/resolveMongoUrl';
import { loadJwtSecret } from '../auth/jwtSecret';
import type { Config } from '../config';
import type { Logger } from '../logger';

export interface Bootstrapped {
  mongo: ResolvedMongo;
  jwtSecret: string;
}

/** What happens once per node before serving: pick the database, create its indexes, load the JWT secret. */
export async function bootstrap(config: Config, logger: Logger): Promise<Bootstrapped> {
  const mongo = await resolveMongoUrl({ mongoUrl: config.mongoUrl, dataDir: config.dataDir, logger });
  const db = await Database.connect({ url: mongo.url, dbName: config.mongoDb, onlineTtlSeconds: config.onlineTtl });
  try {
    await db.ensureIndexes();
  } finally {
    await db.close();
  }
  return { mongo, jwtSecret: loadJwtSecret(config.jwtSecret, config.dataDir) };
}
