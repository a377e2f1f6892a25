import os from 'node:os';
import path from 'node:path';

/** Every setting, from the environment (README lists them with their defaults). */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  mongoUrl?: string;
  /** Database name inside MongoDB. */
  mongoDb: string;
  jwtSecret?: string;
  workers: number;
  logLevel: string;
  /** Lifetime of a user token (seconds). */
  userTokenTtl: number;
  /** Lifetime of a session token (seconds). */
  sessionTokenTtl: number;
  /** An online record expires this long after its last keepalive (seconds). */
  onlineTtl: number;
  /** Messages one user may send per second, sustained (bursts of twice that). */
  messageRate: number;
  /** Registrations per minute from one address (sign-ins per address: five times that). */
  authRatePerMinute: number;
  /** How long a message waits for others to share its insertMany (ms). */
  batchWindowMs: number;
  /** How far to search upwards when the port is taken (S2). */
  portSearch: number;
}

function int(name: string, fallback: number, min = 0): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer >= ${min}, got "${raw}"`);
  return value;
}

/** `--port N` / `-p N` on the command line wins over PORT. */
function portFromArgs(argv: string[]): number | undefined {
  const i = argv.findIndex((a) => a === '--port' || a === '-p' || a === '-h');
  if (i >= 0 && argv[i + 1]) return Number(argv[i + 1]);
  const eq = argv.find((a) => a.startsWith('--port='));
  return eq ? Number(eq.slice('--port='.length)) : undefined;
}

export function loadConfig(argv: string[] = process.argv.slice(2)): Config {
  const port = portFromArgs(argv) ?? int('PORT', 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid port ${port}`);
  return {
    port,
    host: process.env.HOST || '0.0.0.0',
    dataDir: path.resolve(process.env.DATA_DIR || './data'),
    mongoUrl: process.env.MONGO_URL || undefined,
    mongoDb: process.env.MONGO_DB || 'cookim',
    jwtSecret: process.env.JWT_SECRET || undefined,
    workers: int('WORKERS', os.availableParallelism(), 1),
    logLevel: process.env.LOG_LEVEL || 'info',
    userTokenTtl: int('USER_TOKEN_TTL', 7 * 24 * 3600, 1),
    sessionTokenTtl: int('SESSION_TOKEN_TTL', 3600, 1),
    onlineTtl: int('ONLINE_TTL', 60, 2),
    messageRate: int('MESSAGE_RATE', 20, 1),
    batchWindowMs: int('BATCH_WINDOW_MS', 2, 0),
    authRatePerMinute: int('AUTH_RATE_PER_MINUTE', 30, 1),
    portSearch: int('PORT_SEARCH', 100, 1),
  };
}
