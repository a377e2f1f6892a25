/**
 * Runs the MongoDB wire-protocol development server as its own process (spawned detached by
 * ensureDevMongo). Usage: node --import tsx standins/mongo/main.ts --data-dir <dir> [--port N]
 * Writes <dir>/server.json ({port, pid, url}); exits after DEVMONGO_IDLE_MS (default 60000)
 * without clients, and on SIGTERM/SIGINT, flushing the journal first.
 */
import pino from 'pino';
import { parseServerCommandLine } from '../supervisor/serverCommandLine';
import { removeOwnServerInfo, writeServerInfo } from '../supervisor/serverInfoFile';
import { DevMongoServer } from './DevMongoServer';
import type { DevMongoServerInfo } from './DevMongoServerTypes';

const { dir: dataDir, port } = parseServerCommandLine('--data-dir', 'main.ts');
const idleMs = Number(process.env.DEVMONGO_IDLE_MS ?? 60_000);
const logger = pino({ name: 'devmongo', level: process.env.DEVMONGO_LOG_LEVEL ?? 'info' });

let server: DevMongoServer | null = null;
let stopping = false;

async function shutdown(reason: string, code = 0): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ reason }, 'devmongo shutting down');
  try {
    await server?.close();
  } finally {
    removeOwnServerInfo(dataDir);
    process.exit(code);
  }
}

process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));

try {
  server = await DevMongoServer.start({
    dataDir,
    port,
    logger,
    idleTimeoutMs: idleMs > 0 ? idleMs : undefined,
    onIdle: () => void shutdown('idle'),
  });
  const info: DevMongoServerInfo = { port: server.port, pid: process.pid, url: server.url, startedAt: new Date().toISOString() };
  writeServerInfo(dataDir, info);
} catch (err) {
  logger.error({ err }, 'devmongo failed to start');
  process.exit(1);
}
