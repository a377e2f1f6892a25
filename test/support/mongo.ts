/**
 * A database for storage tests: the MongoDB named by MONGO_URL when set (a real one), otherwise the
 * project's MongoDB wire-protocol development server in this process. Each call gets its own
 * database name, so suites never see each other's data.
 */
import { randomBytes } from 'node:crypto';
import { Database } from '../../storage/Database';
import { DevMongoServer } from '../../standins/mongo/DevMongoServer';
import { freshDataDir } from './server';

export interface TestDatabase {
  db: Database;
  url: string;
  close(): Promise<void>;
}

export async function openTestDatabase(options: { onlineTtlSeconds?: number } = {}): Promise<TestDatabase> {
  let dev: DevMongoServer | null = null;
  let url = process.env.MONGO_URL;
  if (!url) {
    dev = await DevMongoServer.start({ dataDir: freshDataDir('devmongo') });
    url = dev.url;
  }
  const dbName = `cookim_storage_${randomBytes(4).toString('hex')}`;
  const db = await Database.connect({ url, dbName, onlineTtlSeconds: options.onlineTtlSeconds ?? 60 });
  await db.ensureIndexes();
  return {
    db,
    url,
    async close() {
      if (process.env.MONGO_URL) await db.db.dropDatabase().catch(() => undefined);
      await db.close();
      await dev?.close();
    },
  };
}
