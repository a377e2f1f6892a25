/**
 * `node --import tsx bench/devmongo.ts [--duration 3] [--inserts 20000] [--messages 100000] [--sessions 10000]
 *   [--server <path to DevMongoServer.ts>]`
 *
 * Micro-benchmark of the development MongoDB server (standins/mongo) through the official driver,
 * with the server in this process and a journal in a temp dir. Prints one JSON line per figure:
 *  - insertMany in batches of 10 into a collection with two compound unique indexes,
 *  - updateOne by _id,
 *  - paged history finds (`{sessionid, seq: {$lt}}` sorted by seq desc, limit 20) and the forward
 *    variant (`$gt`, asc) over `--messages` messages in 50 sessions,
 *  - `find({ uids: x })` on `--sessions` sessions with a multikey index.
 * `--server` lets the same script measure another copy of the server (e.g. the code before a change).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { MongoClient, ObjectId, type Collection, type Document } from 'mongodb';
import { numberArgs, printJson } from './lib/args';

const args = numberArgs({ duration: 3, inserts: 20_000, messages: 100_000, sessions: 10_000, chatSessions: 50, users: 2000 });
const serverArg = process.argv.indexOf('--server');
const serverModule =
  serverArg >= 0 ? path.resolve(process.argv[serverArg + 1]) : path.join(import.meta.dirname, '../standins/mongo/DevMongoServer.ts');

interface BenchServer {
  url: string;
  close(): Promise<void>;
}

/**
 * CPU time of this process (server and driver) per operation, in microseconds: steadier than
 * throughput on a busy machine.
 */
function cpuMicrosPer(since: NodeJS.CpuUsage, ops: number): number {
  const used = process.cpuUsage(since);
  return Math.round((used.user + used.system) / ops);
}

/** Runs `op` until `duration` seconds have passed (at least once) and prints operations per second. */
async function timed(name: string, op: (i: number) => Promise<unknown>, extra: Record<string, unknown> = {}): Promise<void> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const deadline = start + args.duration * 1000;
  let ops = 0;
  while (ops === 0 || performance.now() < deadline) await op(ops++);
  const seconds = (performance.now() - start) / 1000;
  printJson({ bench: name, ops, seconds: Number(seconds.toFixed(3)), perSec: Math.round(ops / seconds), cpuMicrosPerOp: cpuMicrosPer(cpu, ops), ...extra });
}

const pick = <T>(xs: T[]): T => xs[Math.floor(Math.random() * xs.length)];

async function insertBench(client: MongoClient): Promise<void> {
  const messages = client.db('bench').collection('insert_messages');
  await messages.createIndexes([
    { key: { sessionid: 1, seq: 1 }, unique: true },
    { key: { sessionid: 1, senduid: 1, uuid: 1 }, unique: true },
  ]);
  const seqs = new Map<string, number>();
  const sessionids = Array.from({ length: args.chatSessions }, () => new ObjectId().toHexString());
  const cpu = process.cpuUsage();
  const start = performance.now();
  for (let done = 0; done < args.inserts; done += 10) {
    const batch = Array.from({ length: 10 }, () => {
      const sessionid = pick(sessionids);
      const seq = (seqs.get(sessionid) ?? 0) + 1;
      seqs.set(sessionid, seq);
      return { sessionid, seq, senduid: 'u1', uuid: new ObjectId().toHexString(), type: 0, content: `message ${seq}`, dateline: Date.now() };
    });
    await messages.insertMany(batch);
  }
  const seconds = (performance.now() - start) / 1000;
  printJson({
    bench: 'insertMany batch=10',
    docs: args.inserts,
    seconds: Number(seconds.toFixed(3)),
    docsPerSec: Math.round(args.inserts / seconds),
    cpuMicrosPerDoc: cpuMicrosPer(cpu, args.inserts),
  });

  const ids = (await messages.find({}, { projection: { _id: 1 } }).limit(5000).toArray()).map((d) => d._id);
  await timed('updateOne by _id', (i) => messages.updateOne({ _id: pick(ids) }, { $set: { edited: i } }));
}

async function historyBench(client: MongoClient): Promise<void> {
  const messages: Collection<Document> = client.db('bench').collection('messages');
  await messages.createIndexes([
    { key: { sessionid: 1, seq: 1 }, unique: true },
    { key: { sessionid: 1, senduid: 1, uuid: 1 }, unique: true },
  ]);
  const sessionids = Array.from({ length: args.chatSessions }, () => new ObjectId().toHexString());
  const perSession = Math.floor(args.messages / sessionids.length);
  const setupCpu = process.cpuUsage();
  const setupStart = performance.now();
  for (let seq = 1; seq <= perSession; seq += 20) {
    const batch: Document[] = [];
    for (const sessionid of sessionids) {
      for (let s = seq; s < seq + 20 && s <= perSession; s++) {
        batch.push({ sessionid, seq: s, senduid: `u${s % 7}`, uuid: `${sessionid}-${s}`, type: 0, content: `message ${s}`, dateline: Date.now() });
      }
    }
    await messages.insertMany(batch);
  }
  const setupSeconds = (performance.now() - setupStart) / 1000;
  const docs = perSession * sessionids.length;
  printJson({ bench: 'setup insertMany batch=1000', docs, seconds: Number(setupSeconds.toFixed(3)), cpuMicrosPerDoc: cpuMicrosPer(setupCpu, docs) });

  await timed(
    'history page find({sessionid, seq<N}).sort(seq:-1).limit(20)',
    async () => {
      const before = 21 + Math.floor(Math.random() * (perSession - 20));
      const page = await messages.find({ sessionid: pick(sessionids), seq: { $lt: before } }).sort({ seq: -1 }).limit(20).toArray();
      if (page.length !== 20 || page[0].seq !== before - 1) throw new Error('unexpected history page');
    },
    { messages: perSession * sessionids.length, sessions: sessionids.length },
  );
  await timed('since page find({sessionid, seq>N}).sort(seq:1).limit(20)', async () => {
    const after = Math.floor(Math.random() * (perSession - 20));
    const page = await messages.find({ sessionid: pick(sessionids), seq: { $gt: after } }).sort({ seq: 1 }).limit(20).toArray();
    if (page.length !== 20 || page[0].seq !== after + 1) throw new Error('unexpected since page');
  });
  await timed('findOne({sessionid, senduid, uuid})', async () => {
    const sessionid = pick(sessionids);
    const s = 1 + Math.floor(Math.random() * perSession);
    const doc = await messages.findOne({ sessionid, senduid: `u${s % 7}`, uuid: `${sessionid}-${s}` });
    if (!doc) throw new Error('message not found');
  });
}

async function sessionsBench(client: MongoClient): Promise<void> {
  const sessions = client.db('bench').collection('sessions');
  await sessions.createIndexes([{ key: { uids: 1 } }, { key: { lastActivity: -1 } }]);
  const users = Array.from({ length: args.users }, (_, i) => `user${i}`);
  for (let done = 0; done < args.sessions; done += 1000) {
    const batch = Array.from({ length: Math.min(1000, args.sessions - done) }, (_, i) => ({
      name: `session ${done + i}`,
      uids: [pick(users), pick(users), pick(users)],
      lastSeq: 0,
      lastActivity: Date.now(),
    }));
    await sessions.insertMany(batch);
  }
  await timed('find({uids: x})', (i) => sessions.find({ uids: users[i % users.length] }).toArray(), { sessions: args.sessions });
}

async function main(): Promise<void> {
  const { DevMongoServer } = (await import(pathToFileURL(serverModule).href)) as {
    DevMongoServer: { start(options: { dataDir: string; port: number }): Promise<BenchServer> };
  };
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'devmongo-bench-'));
  const server = await DevMongoServer.start({ dataDir, port: 0 });
  const client = new MongoClient(server.url);
  try {
    await client.connect();
    printJson({ bench: 'config', server: path.relative(process.cwd(), serverModule), node: process.version, ...args });
    await insertBench(client);
    await historyBench(client);
    await sessionsBench(client);
  } finally {
    await client.close();
    await server.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
