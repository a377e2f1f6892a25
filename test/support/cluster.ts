/**
 * The multi-node topology as processes, without Docker: a Redis (Debian's redis-server), the
 * development database (standins/mongo/main.ts) and CookIM nodes, each on its own loopback port,
 * plus clients that fail over between the nodes' URLs. Every process started here is killed when
 * the test process exits, whatever happens.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { io } from 'socket.io-client';
import { redisPing } from '../../standins/redis/redisCommand';
import { pingDevMongo } from '../../standins/mongo/pingDevMongo';
import { createGroup, emitAck, http, registerUser, sessionToken, type MessageView, type TestSocket, type TestUser } from './client';
import { freePort, freshDataDir, startServer, type RunningServer } from './server';
import { sleep, waitFor } from './wait';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');

const spawned = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of spawned) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});
function track(child: ChildProcess): ChildProcess {
  spawned.add(child);
  child.once('exit', () => spawned.delete(child));
  return child;
}

function waitExit(child: ChildProcess, timeoutMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
    }, timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

export function hasRedisServer(): boolean {
  return spawnSync('sh', ['-c', 'command -v redis-server'], { stdio: 'ignore' }).status === 0;
}

/** A helper process a test starts, kills (SIGKILL: no flush, no goodbye) or stops, and may start again. */
abstract class RestartableProcess {
  protected child: ChildProcess | null = null;

  abstract start(): Promise<void>;

  async kill(): Promise<void> {
    await this.signal('SIGKILL');
  }

  async stop(): Promise<void> {
    await this.signal('SIGTERM');
  }

  private async signal(signal: NodeJS.Signals): Promise<void> {
    if (!this.child) return;
    this.child.kill(signal);
    await waitExit(this.child);
    this.child = null;
  }
}

/** A redis-server on a loopback port (no persistence), which a test may kill and start again on the same port. */
export class RedisProcess extends RestartableProcess {
  private constructor(
    readonly port: number,
    private readonly dir: string,
  ) {
    super();
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<RedisProcess> {
    const redis = new RedisProcess(await freePort(), freshDataDir('redis'));
    await redis.start();
    return redis;
  }

  async start(): Promise<void> {
    this.child = track(
      spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--save', '', '--appendonly', 'no', '--loglevel', 'warning'], {
        stdio: 'ignore',
      }),
    );
    await waitFor('redis-server', () => redisPing(this.port, 500), 10_000, 50);
  }

}

/** The development database as its own process on a fixed port and data directory. */
export class DevMongoProcess extends RestartableProcess {
  private constructor(
    readonly port: number,
    readonly dir: string,
  ) {
    super();
  }

  get url(): string {
    return `mongodb://127.0.0.1:${this.port}/?directConnection=true`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  static async start(): Promise<DevMongoProcess> {
    const dir = path.join(freshDataDir('devmongo-proc'), 'devmongo');
    mkdirSync(dir, { recursive: true });
    const db = new DevMongoProcess(await freePort(), dir);
    await db.start();
    return db;
  }

  async start(): Promise<void> {
    this.child = track(
      spawn(process.execPath, ['--import', 'tsx', 'standins/mongo/main.ts', '--data-dir', this.dir, '--port', String(this.port)], {
        cwd: root,
        env: { ...process.env, DEVMONGO_IDLE_MS: '0', DEVMONGO_LOG_LEVEL: 'warn' },
        stdio: 'ignore',
      }),
    );
    await waitFor('devmongo', () => pingDevMongo(this.port, 500), 30_000, 50);
  }

}

export interface Topology {
  redis: RedisProcess;
  mongo: DevMongoProcess;
  nodes: RunningServer[];
  secret: string;
  mongoDb: string;
  stop(): Promise<void>;
}

/** Redis, the database and `nodes` CookIM nodes (each its own DATA_DIR, like separate hosts), all as processes. */
export async function startTopology(options: { nodes?: number; workers?: number; env?: Record<string, string> } = {}): Promise<Topology> {
  const [redis, mongo] = await Promise.all([RedisProcess.start(), DevMongoProcess.start()]);
  const secret = randomBytes(24).toString('hex');
  const mongoDb = `cookim_cluster_${randomBytes(4).toString('hex')}`;
  const env = {
    MONGO_URL: mongo.url,
    MONGO_DB: mongoDb,
    REDIS_URL: redis.url,
    JWT_SECRET: secret,
    MESSAGE_RATE: '1000',
    MEDIA_WORKERS: '1',
    LOG_LEVEL: 'info',
    ...options.env,
  };
  const nodes: RunningServer[] = [];
  try {
    for (let i = 0; i < (options.nodes ?? 2); i++) {
      nodes.push(await startServer({ workers: options.workers ?? 1, env }));
    }
  } catch (err) {
    await Promise.all(nodes.map((n) => n.kill()));
    await Promise.all([redis.kill(), mongo.kill()]);
    throw err;
  }
  return {
    redis,
    mongo,
    nodes,
    secret,
    mongoDb,
    async stop() {
      await Promise.all(nodes.map((n) => n.stop()));
      await Promise.all([redis.stop(), mongo.stop()]);
    },
  };
}

/** Every message of a session through REST (newest first pages), oldest first. */
export async function fullHistory(baseUrl: string, user: TestUser, sessionid: string): Promise<MessageView[]> {
  const all: MessageView[] = [];
  let before: number | undefined;
  for (;;) {
    const query = `?limit=100${before !== undefined ? `&before=${before}` : ''}`;
    const res = await http(baseUrl, 'GET', `/api/sessions/${sessionid}/messages${query}`, { token: user.token });
    if (res.status !== 200) throw new Error(`history: ${res.status} ${JSON.stringify(res.body)}`);
    const page = res.body.messages as MessageView[];
    all.push(...page);
    if (page.length < 100) break;
    before = page.at(-1)!.seq;
  }
  return all.reverse();
}

export interface SendOutcome {
  uuid: string;
  msgid: string;
  seq: number;
  attempts: number;
  /** When the ack arrived (ms). */
  at: number;
  /** When the attempt that was acknowledged was sent (ms). */
  sentAt: number;
}

/**
 * A client that keeps one socket to one of the nodes and, when that node goes away, connects to the
 * next URL (then the next, ...), syncing what it missed. `send` re-sends the same uuid until it is
 * acknowledged, so a send interrupted by a crash is stored once.
 */
export class FailoverClient {
  socket: TestSocket | null = null;
  /** Every message seen (live or through sync), by msgid. */
  readonly seen = new Map<string, MessageView>();
  readonly errors: Record<string, number> = {};
  reconnects = 0;
  liveDeliveries = 0;
  /** sendSteadily stops starting new sends once set (in-flight ones still settle). */
  stopSending = false;
  private index: number;
  private closed = false;
  private connecting: Promise<void> | null = null;
  /** Nodes (welcome.node) this client was served by, in order. */
  readonly servedBy: string[] = [];

  constructor(
    readonly user: TestUser,
    readonly urls: string[],
    startAt = 0,
    readonly label = user.user.nickname,
  ) {
    this.index = startAt % urls.length;
  }

  get url(): string {
    return this.urls[this.index];
  }

  count(code: string): void {
    this.errors[code] = (this.errors[code] ?? 0) + 1;
  }

  connect(): Promise<void> {
    if (!this.connecting) {
      this.connecting = this.connectLoop().finally(() => {
        this.connecting = null;
      });
    }
    return this.connecting;
  }

  private async connectLoop(): Promise<void> {
    for (let attempt = 0; !this.closed; attempt++) {
      const url = this.urls[this.index];
      const first = this.servedBy.length === 0;
      try {
        const socket = await this.open(url);
        if (this.closed) {
          socket.close();
          return;
        }
        this.socket = socket;
        if (!first) this.reconnects++;
        await this.catchUp().catch(() => undefined);
        return;
      } catch {
        this.index = (this.index + 1) % this.urls.length;
        await sleep(Math.min(100 * (attempt + 1), 500));
      }
    }
  }

  private open(url: string): Promise<TestSocket> {
    const socket: TestSocket = io(url, { auth: { token: this.user.token }, transports: ['websocket'], reconnection: false, forceNew: true, timeout: 3000 });
    socket.on('message', (m) => {
      this.liveDeliveries++;
      this.seen.set(m.msgid, m);
    });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.close();
        reject(new Error('connect timeout'));
      }, 4000);
      socket.once('welcome', (w) => {
        clearTimeout(timer);
        this.servedBy.push(w.node);
        socket.on('disconnect', (reason) => {
          if (this.closed || reason === 'io client disconnect') return;
          if (this.socket === socket) this.socket = null;
          // The node went away: try the next one.
          this.index = (this.index + 1) % this.urls.length;
          void this.connect();
        });
        resolve(socket);
      });
      socket.once('connect_error', (err) => {
        clearTimeout(timer);
        socket.close();
        reject(err);
      });
    });
  }

  /** sync from 0 for every session: everything the server has, oldest first per session. */
  async catchUp(sessionids: string[] = []): Promise<void> {
    const socket = this.socket;
    if (!socket) throw new Error('not connected');
    const cursors = Object.fromEntries(sessionids.map((id) => [id, 0]));
    for (let round = 0; round < 20; round++) {
      const res = await emitAck(socket, 'sync', { cursors }, 10_000);
      if (res?.error) throw new Error(res.error.code);
      for (const m of res.messages as MessageView[]) {
        this.seen.set(m.msgid, m);
        cursors[m.sessionid] = Math.max(cursors[m.sessionid] ?? 0, m.seq);
      }
      if (!res.more) return;
    }
  }

  /** Sends until acknowledged (same uuid every time); gives up at the deadline. */
  async send(sessionToken: string, msg: string, deadline: number, uuid = randomUUID()): Promise<SendOutcome | null> {
    let attempts = 0;
    while (!this.closed && Date.now() < deadline) {
      const socket = this.socket;
      if (!socket || !socket.connected) {
        await Promise.race([this.connect(), sleep(500)]);
        continue;
      }
      attempts++;
      const sentAt = Date.now();
      let res: any;
      try {
        res = await emitAck(socket, 'message:send', { sessionToken, msgtype: 0, msg, uuid }, 15_000);
      } catch {
        this.count(socket.connected ? 'ack_timeout' : 'disconnected');
        continue;
      }
      if (res?.error) {
        const code = `${res.error.code}${res.error.retryable ? ':retryable' : ''}`;
        this.count(code);
        if (!res.error.retryable) throw new Error(`send refused: ${JSON.stringify(res.error)}`);
        await sleep(200);
        continue;
      }
      return { uuid, msgid: res.msgid, seq: res.seq, attempts, at: Date.now(), sentAt };
    }
    return null;
  }

  close(): void {
    this.closed = true;
    this.socket?.close();
  }
}

/** Sends steadily (one at a time, every `intervalMs`) until `stopAt`; answers every acknowledged send in order. */
export async function sendSteadily(client: FailoverClient, sessionToken: string, stopAt: number, intervalMs: number, onSent?: () => void): Promise<{ outcomes: SendOutcome[]; attempted: number; unacked: number }> {
  const outcomes: SendOutcome[] = [];
  let attempted = 0;
  let unacked = 0;
  for (let i = 0; Date.now() < stopAt && !client.stopSending; i++) {
    attempted++;
    onSent?.();
    // Each send may keep retrying (same uuid) for a while past stopAt so it settles.
    const outcome = await client.send(sessionToken, `${client.label} #${i}`, stopAt + 45_000);
    if (outcome) outcomes.push(outcome);
    else unacked++;
    await sleep(intervalMs);
  }
  return { outcomes, attempted, unacked };
}

/**
 * Checks a session's history: message seqs without gaps from the first one (members join before
 * the sends, and their join events take the seqs before it), each uuid once, and every acknowledged send in it exactly once, in send order. */
export function checkHistory(history: MessageView[], acked: Map<string, SendOutcome[]>): { stored: number; ackedTotal: number } {
  const problems: string[] = [];
  history.forEach((m, i) => {
    if (m.seq !== history[0].seq + i) problems.push(`seq ${m.seq} at position ${i + 1}`);
  });
  const byMsgid = new Map(history.map((m) => [m.msgid, m]));
  let ackedTotal = 0;
  for (const [sender, outcomes] of acked) {
    let lastSeq = 0;
    for (const o of outcomes) {
      ackedTotal++;
      const stored = byMsgid.get(o.msgid);
      if (!stored) problems.push(`${sender}: acknowledged ${o.msgid} (seq ${o.seq}) is not in history`);
      else if (stored.seq !== o.seq) problems.push(`${sender}: acknowledged seq ${o.seq} stored as ${stored.seq}`);
      if (o.seq <= lastSeq) problems.push(`${sender}: seq ${o.seq} after ${lastSeq} (out of order)`);
      lastSeq = o.seq;
    }
    const texts = history.filter((m) => m.msg.startsWith(`${sender} #`)).map((m) => m.msg);
    if (new Set(texts).size !== texts.length) problems.push(`${sender}: a message is stored twice`);
  }
  if (problems.length) throw new Error(`history check failed:\n${problems.slice(0, 20).join('\n')}`);
  return { stored: history.length, ackedTotal };
}

export function readJson<T>(file: string): T | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return null;
  }
}


/**
 * A group of senders across the first two nodes: the first half start on node 0, the rest on node 1,
 * each failing over to the other URL. Clients go into `clients` as they are made, so the caller's
 * clean-up closes them even when set-up fails halfway.
 */
export async function sendersOnTwoNodes(
  topo: Topology,
  names: string[],
  title: string,
  clients: FailoverClient[],
): Promise<{ users: TestUser[]; sessionid: string; tokens: string[]; urls: string[] }> {
  const urls = topo.nodes.slice(0, 2).map((n) => n.url);
  const users: TestUser[] = [];
  for (const name of names) users.push(await registerUser(urls[0], name));
  const group = await createGroup(urls[0], users[0], title);
  for (const u of users.slice(1)) await http(urls[0], 'POST', `/api/sessions/${group.sessionid}/join`, { token: u.token });
  users.forEach((u, i) => clients.push(new FailoverClient(u, urls, i < names.length / 2 ? 0 : 1)));
  await Promise.all(clients.map((c) => c.connect()));
  const tokens = await Promise.all(users.map((u) => sessionToken(urls[0], u, group.sessionid)));
  return { users, sessionid: group.sessionid, tokens, urls };
}

