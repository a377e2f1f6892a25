import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { DevMongoServer } from '../../../standins/mongo/DevMongoServer';
import type { DevMongoServerOptions } from '../../../standins/mongo/DevMongoServerTypes';

/** A fresh temp data dir per test, with helpers to start servers and clients and clean up. */
export class DevMongoTestKit {
  readonly dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'devmongo-test-'));
  private readonly servers: DevMongoServer[] = [];
  private readonly clients: MongoClient[] = [];

  async startServer(options: DevMongoServerOptions = {}): Promise<DevMongoServer> {
    const server = await DevMongoServer.start({ dataDir: this.dataDir, ...options });
    this.servers.push(server);
    return server;
  }

  async client(server: DevMongoServer): Promise<MongoClient> {
    const client = new MongoClient(server.url, { serverSelectionTimeoutMS: 5000 });
    await client.connect();
    this.clients.push(client);
    return client;
  }

  async cleanup(): Promise<void> {
    for (const c of this.clients) await c.close().catch(() => undefined);
    for (const s of this.servers) await s.close();
    fs.rmSync(this.dataDir, { recursive: true, force: true });
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
