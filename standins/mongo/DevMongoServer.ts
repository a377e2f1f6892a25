import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { ChangeStreamHub } from './ChangeStreamHub';
import { ClientConnection } from './ClientConnection';
import { CommandHandlers } from './CommandHandlers';
import { CursorRegistry } from './CursorRegistry';
import { DataDirLockedError } from './DataDirLockedError';
import { Journal } from './Journal';
import { PidLockFile } from '../supervisor/PidLockFile';
import { StorageEngine } from './StorageEngine';
import { TransactionManager } from './TransactionManager';
import { TtlMonitor } from './TtlMonitor';
import { WriteScope } from './WriteScope';
import type { DevMongoLogger, DevMongoServerOptions } from './DevMongoServerTypes';

const SILENT: DevMongoLogger = {};

/**
 * MongoDB wire-protocol development server: a stand-in for mongod on machines where MongoDB
 * cannot be installed. It presents itself as a single-node replica set primary so the official
 * driver enables sessions, transactions and change streams. Not for production.
 */
export class DevMongoServer {
  private readonly connections = new Set<ClientConnection>();
  private nextConnectionId = 1;
  private maintenanceTimer: NodeJS.Timeout | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  private closePromise: Promise<void> | null = null;
  private port_ = 0;

  private constructor(
    private readonly options: DevMongoServerOptions,
    private readonly logger: DevMongoLogger,
    private readonly tcp: net.Server,
    private readonly storage: StorageEngine,
    private readonly journal: Journal | null,
    private readonly dirLock: PidLockFile | null,
    private readonly hub: ChangeStreamHub,
    private readonly txns: TransactionManager,
    private readonly cursors: CursorRegistry,
    private readonly handlers: CommandHandlers,
    private readonly ttl: TtlMonitor,
  ) {}

  static async start(options: DevMongoServerOptions = {}): Promise<DevMongoServer> {
    const logger = options.logger ?? SILENT;
    const host = options.host ?? '127.0.0.1';
    let dirLock: PidLockFile | null = null;
    let journal: Journal | null = null;
    const storage = new StorageEngine(logger);
    if (options.dataDir) {
      fs.mkdirSync(options.dataDir, { recursive: true });
      dirLock = new PidLockFile(path.join(options.dataDir, 'server.lock'));
      if (!dirLock.tryAcquire()) throw new DataDirLockedError(options.dataDir, dirLock.ownerPid() ?? -1);
      try {
        journal = new Journal(options.dataDir, {
          fsyncIntervalMs: options.fsyncIntervalMs ?? 50,
          compactThresholdBytes: options.compactThresholdBytes ?? 8 * 1024 * 1024,
          logger,
        });
        journal.open(
          (rec) => storage.apply(rec),
          () => storage.dump(),
        );
      } catch (err) {
        dirLock.release();
        throw err;
      }
    }
    const hub = new ChangeStreamHub();
    const txns = new TransactionManager(journal, hub, {
      lockTimeoutMs: options.transactionLockTimeoutMs ?? 5000,
      lifetimeMs: options.transactionLifetimeMs ?? 60_000,
      logger,
    });
    const cursors = new CursorRegistry({
      maxPerConnection: options.maxCursorsPerConnection ?? 1000,
      idleTimeoutMs: options.cursorIdleTimeoutMs ?? 10 * 60_000,
    });
    let server: DevMongoServer | null = null;
    const handlers = new CommandHandlers(storage, journal, hub, txns, cursors, {
      host: () => `${host}:${server?.port ?? 0}`,
      replSetName: options.replSetName ?? 'devmongo',
      logger,
    });
    const tcp = net.createServer();
    server = new DevMongoServer(options, logger, tcp, storage, journal, dirLock, hub, txns, cursors, handlers, new TtlMonitor(storage, logger));
    try {
      await server.listen(host, options.port ?? 0);
    } catch (err) {
      journal?.close();
      dirLock?.release();
      throw err;
    }
    return server;
  }

  private async listen(host: string, port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.tcp.once('error', reject);
      this.tcp.listen(port, host, () => {
        this.tcp.off('error', reject);
        resolve();
      });
    });
    this.port_ = (this.tcp.address() as net.AddressInfo).port;
    this.tcp.on('connection', (socket) => this.accept(socket));
    this.tcp.on('error', (err) => this.logger.error?.({ err }, 'devmongo listener error'));
    this.maintenanceTimer = setInterval(() => this.maintenance(), this.options.ttlSweepIntervalMs ?? 1000);
    this.maintenanceTimer.unref();
    this.armIdleTimer();
    this.logger.info?.(
      { url: this.url, dataDir: this.options.dataDir ?? null },
      'MongoDB wire-protocol development server (development stand-in, not for production) listening',
    );
  }

  get port(): number {
    return this.port_;
  }

  get url(): string {
    return `mongodb://127.0.0.1:${this.port_}/?directConnection=true`;
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  private accept(socket: net.Socket): void {
    if (this.closePromise) {
      socket.destroy();
      return;
    }
    const conn = new ClientConnection(this.nextConnectionId++, socket, this.handlers, this.logger, (c) => this.onConnectionClosed(c));
    this.connections.add(conn);
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }

  private onConnectionClosed(conn: ClientConnection): void {
    this.connections.delete(conn);
    // A client that vanishes mid-transaction must not keep the lock or its half-done writes.
    this.txns.abortForConnection(conn.id);
    this.cursors.killForConnection(conn.id);
    if (this.connections.size === 0) this.armIdleTimer();
  }

  private armIdleTimer(): void {
    const ms = this.options.idleTimeoutMs;
    if (!ms || !this.options.onIdle || this.closePromise) return;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      if (this.connections.size === 0 && !this.closePromise) {
        this.logger.info?.({ idleMs: ms }, 'devmongo idle with no clients; shutting down');
        this.options.onIdle?.();
      }
    }, ms);
  }

  private maintenance(): void {
    const now = Date.now();
    try {
      this.txns.sweepExpired(now);
      this.cursors.sweepIdle(now);
      // TTL deletes are plain writes; skip the round while a transaction owns the data.
      if (!this.txns.lock.held) this.ttl.sweep(new WriteScope(this.journal, this.hub, null), now);
    } catch (err) {
      this.logger.error?.({ err }, 'devmongo maintenance pass failed');
    }
  }

  /** Stops listening, drops clients, rolls back open transactions and flushes the journal. */
  close(): Promise<void> {
    if (this.closePromise) return this.closePromise;
    this.closePromise = (async () => {
      if (this.maintenanceTimer) clearInterval(this.maintenanceTimer);
      if (this.idleTimer) clearTimeout(this.idleTimer);
      this.handlers.shutdown();
      const closed = new Promise<void>((resolve) => this.tcp.close(() => resolve()));
      for (const conn of this.connections) conn.destroy();
      this.txns.abortAll('server shutdown');
      await closed;
      this.journal?.close();
      this.dirLock?.release();
      this.logger.info?.({ port: this.port_ }, 'devmongo stopped');
    })();
    return this.closePromise;
  }
}
