/**
 * Runs the MongoDB wire-protocol development server as its own process (spawned detached by
 * ensureDevMongo). Usage: node --import tsx standins/mongo/main.ts --data-dir <dir> [--port N]
 * Writes <dir>/server.json ({port, pid, url}); exits after DEVMONGO_IDLE_MS (default 60000)
 * without clients, and on SIGTERM/SIGINT, flushing the journal first.
 */
import fs from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { DevMongoServer } from './DevMongoServer';
import type { DevMongoServerInfo } from './DevMongoServerTypes';

function argValue(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

const dataDir = argValue('--data-dir');
if (!dataDir) {
  process.stderr.write('usage: main.ts --data-dir <dir> [--port N]\n');
  process.exit(2);
}
const port = Number(argValue('--port') ?? 0);
const idleMs = Number(process.env.DEVMONGO_IDLE_MS ?? 60_000);
const logger = pino({ name: 'devmongo', level: process.env.DEVMONGO_LOG_LEVEL ?? 'info' });
const infoFile = path.join(dataDir, 'server.json');

let server: DevMongoServer | null = null;
let stopping = false;

async function shutdown(reason: string, code = 0): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ reason }, 'devmongo shutting down');
  try {
    await server?.close();
  } finally {
    try {
      const info = JSON.parse(fs.readFileSync(infoFile, 'utf8')) as DevMongoServerInfo;
      if (info.pid === process.pid) fs.unlinkSync(infoFile);
    } catch {
      // Nothing to clean up.
    }
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
  const tmp = `${infoFile}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(info));
  fs.renameSync(tmp, infoFile);
} catch (err) {
  logger.error({ err }, 'devmongo failed to start');
  process.exit(1);
}
