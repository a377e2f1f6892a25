import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import path from 'node:path';
import type { Logger } from 'pino';
import { MongoClient } from 'mongodb';

export type MongoKind = 'external' | 'mongod' | 'memory-server' | 'devmongo';

export interface ResolvedMongo {
  url: string;
  kind: MongoKind;
}

export interface ResolveMongoOptions {
  /** MONGO_URL: a real MongoDB; used as given. */
  mongoUrl?: string;
  dataDir: string;
  logger: Logger;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

async function answersPing(url: string, timeoutMs: number): Promise<boolean> {
  const client = new MongoClient(url, { serverSelectionTimeoutMS: timeoutMs, connectTimeoutMS: timeoutMs });
  try {
    await client.connect();
    await client.db('admin').command({ ping: 1 });
    return true;
  } catch {
    return false;
  } finally {
    await client.close().catch(() => undefined);
  }
}

/** A `mongod` on PATH, run on a data directory under DATA_DIR. */
async function startLocalMongod(dataDir: string, logger: Logger): Promise<string | null> {
  const found = spawnSync('sh', ['-c', 'command -v mongod'], { encoding: 'utf8' });
  const bin = found.stdout.trim();
  if (found.status !== 0 || !bin) return null;
  const dbPath = path.join(dataDir, 'mongod');
  mkdirSync(dbPath, { recursive: true });
  const port = await freePort();
  const child = spawn(bin, ['--dbpath', dbPath, '--port', String(port), '--bind_ip', '127.0.0.1'], {
    stdio: 'ignore',
    detached: true,
  });
  child.unref();
  const url = `mongodb://127.0.0.1:${port}/?directConnection=true`;
  for (let i = 0; i < 60; i++) {
    if (await answersPing(url, 500)) {
      logger.info({ url, bin }, 'started mongod found on PATH');
      return url;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  child.kill();
  return null;
}

/** How long the download host (or the proxy) may take to accept a connection before we give up. */
const DOWNLOAD_PROBE_MS = 3000;

/** Why a TCP connection to `url`'s host cannot be opened (no internet, blocked), or null when it can. */
function unreachable(url: string, timeoutMs: number): Promise<string | null> {
  const target = new URL(url);
  const port = Number(target.port) || (target.protocol === 'http:' ? 80 : 443);
  return new Promise((resolve) => {
    const socket = connect({ host: target.hostname, port, timeout: timeoutMs });
    const done = (reason: string | null) => {
      socket.destroy();
      resolve(reason);
    };
    socket.once('connect', () => done(null));
    socket.once('timeout', () => done(`no connection to ${target.host} within ${timeoutMs} ms`));
    socket.once('error', (err: NodeJS.ErrnoException) => done(`${err.code ?? err.message} for ${target.host}`));
  });
}

/** The proxy mongodb-memory-server downloads through (the same variables it reads), if any. */
function downloadProxy(): string | undefined {
  const env = process.env;
  return env['yarn_https-proxy'] || env.yarn_proxy || env['npm_config_https-proxy'] || env.npm_config_proxy || env.https_proxy || env.http_proxy || env.HTTPS_PROXY || env.HTTP_PROXY || undefined;
}

/**
 * A mongod binary from mongodb-memory-server's cache, else downloaded by it. Without internet the
 * library would retry, print each failure and then a long stack trace at every start: the download
 * host (or proxy) is probed first and the reason logged on one line instead.
 */
async function memoryServerBinary(logger: Logger): Promise<boolean> {
  const { DryMongoBinary, MongoBinary } = await import('mongodb-memory-server-core');
  const options = await DryMongoBinary.generateOptions({});
  if (await DryMongoBinary.locateBinary(options)) return true;
  const { MongoBinaryDownloadUrl } = await import('mongodb-memory-server-core/lib/util/MongoBinaryDownloadUrl.js');
  const downloadUrl = await new MongoBinaryDownloadUrl(options).getDownloadUrl();
  const reason = await unreachable(downloadProxy() ?? downloadUrl, DOWNLOAD_PROBE_MS);
  if (reason) {
    logger.info({ reason }, 'mongodb-memory-server cannot download a mongod here (no internet access?); skipping it');
    return false;
  }
  try {
    await MongoBinary.getPath(options);
    return true;
  } catch (err) {
    logger.info({ reason: (err as Error).message.split('\n').join(' ') }, 'mongodb-memory-server could not download a mongod');
    return false;
  }
}

/** mongodb-memory-server downloads a mongod where the machine has ordinary internet access. */
async function startMemoryServer(dataDir: string, logger: Logger): Promise<string | null> {
  if (process.env.COOKIM_SKIP_MEMORY_SERVER === '1') return null;
  try {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('download timed out')), 120_000)));
    try {
      if (!(await Promise.race([memoryServerBinary(logger), timeout]))) return null;
      const { MongoMemoryServer } = await import('mongodb-memory-server-core');
      const dbPath = path.join(dataDir, 'mongod-memory-server');
      mkdirSync(dbPath, { recursive: true });
      const server = await Promise.race([MongoMemoryServer.create({ instance: { dbPath, storageEngine: 'wiredTiger', ip: '127.0.0.1' } }), timeout]);
      const url = server.getUri();
      logger.info({ url }, 'started mongod downloaded by mongodb-memory-server');
      return url;
    } finally {
      clearTimeout(timer);
    }
  } catch (err) {
    logger.info({ reason: (err as Error).message }, 'mongodb-memory-server could not provide a mongod');
    return null;
  }
}

/**
 * Chooses the database: MONGO_URL when set; else a mongod on PATH; else one downloaded by
 * mongodb-memory-server; else the project's own MongoDB wire-protocol development server
 * (a development stand-in, shared by every node started on the same DATA_DIR).
 */
export async function resolveMongoUrl(options: ResolveMongoOptions): Promise<ResolvedMongo> {
  const { mongoUrl, dataDir, logger } = options;
  if (mongoUrl) return { url: mongoUrl, kind: 'external' };
  const mongod = await startLocalMongod(dataDir, logger);
  if (mongod) return { url: mongod, kind: 'mongod' };
  const memory = await startMemoryServer(dataDir, logger);
  if (memory) return { url: memory, kind: 'memory-server' };
  const { ensureDevMongo } = await import('../standins');
  const { url, started } = await ensureDevMongo({ dataDir, logger });
  logger.warn(
    { url, reused: !started },
    'using the MongoDB wire-protocol development server (development stand-in, not for production; set MONGO_URL for a real MongoDB)',
  );
  return { url, kind: 'devmongo' };
}
