import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureSupervisedProcess } from '../supervisor/ensureSupervisedProcess';
import type { SupervisedServer } from '../supervisor/supervisedProcessTypes';
import { pingDevMongo } from './pingDevMongo';
import type { DevMongoServerInfo, EnsureDevMongoOptions, EnsureDevMongoResult } from './DevMongoServerTypes';

const here = path.dirname(fileURLToPath(import.meta.url));

const DEV_MONGO_SERVER: SupervisedServer = {
  name: 'the devmongo server',
  ping: pingDevMongo,
  entry: { source: path.join(here, 'main.ts'), bundle: 'devmongoMain.js' },
  dirOption: '--data-dir',
};

/**
 * Returns the URL of the development MongoDB server for `<dataDir>/devmongo/`, reusing a live one
 * or spawning a detached `main.ts` process. Concurrent callers (threads or processes) agree on one
 * server (standins/supervisor).
 */
export async function ensureDevMongo(options: EnsureDevMongoOptions): Promise<EnsureDevMongoResult> {
  const dir = path.join(path.resolve(options.dataDir), 'devmongo');
  const logger = options.logger;
  const { info, started } = await ensureSupervisedProcess<DevMongoServerInfo>(DEV_MONGO_SERVER, {
    dir,
    startTimeoutMs: options.startTimeoutMs,
    onSpawned: (pid) => logger?.info?.({ pid, dir }, 'spawned the MongoDB wire-protocol development server (development stand-in, not for production)'),
  });
  return { url: `mongodb://127.0.0.1:${info.port}/?directConnection=true`, started };
}
