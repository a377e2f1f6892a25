/**
 * `npm run bench -- search [--messages 200000] [--queries 500] [--conversations 1000] [--member 50] [--batch 1000]`
 *
 * Message search (issue 13): stores `--messages` messages (half Chinese, half English sentences,
 * Zipf-distributed words) in `--conversations` conversations with their search terms, then runs
 * `--queries` searches as a user in `--member` of those conversations (all of them, and one),
 * through storage/MessageSearch exactly as GET /api/search does. Uses the development stand-in in
 * this process, or the MongoDB named by MONGO_URL. JSON lines: insert rate, p50/p99 latency per
 * query kind and overall, and the index's size per message (from collStats where the server has
 * it, else estimated from the stored terms).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BSON, ObjectId } from 'mongodb';
import { Database } from '../storage/Database';
import type { MessageDoc } from '../storage/documents';
import { MessageSearch } from '../storage/MessageSearch';
import { searchTermsOf } from '../storage/searchTerms';
import { DevMongoServer } from '../standins/mongo/DevMongoServer';
import { numberArgs, percentile, printJson } from './lib/args';

const args = numberArgs({ messages: 200_000, queries: 500, conversations: 1000, member: 50, batch: 1000, seed: 7 });

class Random {
  constructor(private seed: number) {}
  next(): number {
    let t = (this.seed += 0x6d2b79f5);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  /** Index in [0, n) with Zipf-like weights (rank r about 1/r). */
  zipf(n: number): number {
    return Math.min(n - 1, Math.floor(Math.exp(this.next() * Math.log(n + 1))) - 1);
  }
}

const ZH = (
  '上海 北京 东边 今天 明天 昨天 朋友 工作 会议 项目 吃饭 周末 电影 公司 学校 老师 同学 时间 地方 问题 ' +
  '我们 你们 他们 喜欢 知道 觉得 可以 需要 已经 还是 因为 所以 但是 如果 这个 那个 什么 怎么 为什么 没有 ' +
  '天气 下雨 晴天 咖啡 茶叶 火车 飞机 地铁 机场 酒店 旅行 照片 视频 音乐 游戏 手机 电脑 网络 系统 服务 ' +
  '客户 产品 设计 代码 测试 发布 版本 文档 数据 分析 报告 计划 预算 市场 销售 价格 质量 安全 团队 经理 ' +
  '三体 宇宙 科学 历史 文化 艺术 运动 篮球 足球 跑步 医院 医生 健康 家人 孩子 父母 生日 礼物 节日 春节'
).split(' ');
const EN = (
  'the a to and of in is it you that for on with this be are have at we not but can what so was will do ' +
  'meeting project lunch weekend movie office school teacher time place question hiking sunday monday coffee ' +
  'train flight subway airport hotel travel photo video music game phone laptop network system service customer ' +
  'product design code test release version document data analysis report plan budget market sales price quality ' +
  'security team manager science history culture art sport basketball football running hospital doctor health ' +
  'family kids parents birthday gift holiday deploy server database index search message channel thread review'
).split(' ');

function sentence(rnd: Random): string {
  const words = 4 + rnd.int(12);
  if (rnd.int(2) === 0) {
    let s = '';
    for (let i = 0; i < words; i++) s += ZH[rnd.zipf(ZH.length)] + (rnd.int(8) === 0 ? '，' : '');
    return `${s}。`;
  }
  const out: string[] = [];
  for (let i = 0; i < words; i++) out.push(EN[rnd.zipf(EN.length)]);
  out[0] = out[0][0].toUpperCase() + out[0].slice(1);
  return `${out.join(' ')}${rnd.int(3) === 0 ? '?' : '.'}`;
}

type QueryKind = 'zh-word' | 'zh-phrase' | 'zh-char' | 'en-word' | 'en-two-words' | 'en-prefix' | 'rare';

function query(rnd: Random, kind: QueryKind): string {
  const zh = () => ZH[rnd.int(ZH.length)];
  const en = () => EN[rnd.int(EN.length)];
  switch (kind) {
    case 'zh-word':
      return zh();
    case 'zh-phrase':
      return zh() + zh();
    case 'zh-char':
      return [...zh()][0];
    case 'en-word':
      return `${en()} `;
    case 'en-two-words':
      return `${en()} ${en()}`;
    case 'en-prefix':
      return EN.filter((w) => w.length >= 5)[rnd.int(40)].slice(0, 3 + rnd.int(2));
    case 'rare':
      return 'zyxwvut';
  }
}

async function main(): Promise<void> {
  let dev: DevMongoServer | null = null;
  let dataDir: string | null = null;
  let url = process.env.MONGO_URL;
  if (!url) {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cookim-bench-search-'));
    dev = await DevMongoServer.start({ dataDir, port: 0 });
    url = dev.url;
  }
  const dbName = `bench_search_${Date.now().toString(36)}`;
  const db = await Database.connect({ url, dbName, onlineTtlSeconds: 60 });
  try {
    await db.ensureIndexes();
    const rnd = new Random(args.seed);
    const conversations = Array.from({ length: args.conversations }, () => new ObjectId().toHexString());
    const seqs = new Map<string, number>();
    let termCount = 0;
    let termBytes = 0;
    const started = performance.now();
    const t0 = Date.now() - args.messages * 10;
    for (let done = 0; done < args.messages; ) {
      const docs: MessageDoc[] = [];
      for (let i = 0; i < args.batch && done < args.messages; i++, done++) {
        const sessionid = conversations[rnd.int(conversations.length)];
        const seq = (seqs.get(sessionid) ?? 0) + 1;
        seqs.set(sessionid, seq);
        const content = sentence(rnd);
        const terms = searchTermsOf(content);
        termCount += terms.length;
        termBytes += BSON.calculateObjectSize({ terms });
        docs.push({
          _id: new ObjectId(), sessionid, seq, senduid: 'u', nickname: 'U', msgtype: 0, content,
          size: Buffer.byteLength(content), uuid: `m${done}`, dateline: t0 + done * 10, terms,
        });
      }
      await db.messages.insertMany(docs, { ordered: false });
    }
    const insertSeconds = (performance.now() - started) / 1000;
    printJson({ bench: 'search-insert', server: dev ? 'devmongo' : 'mongodb', messages: args.messages, seconds: Number(insertSeconds.toFixed(1)), perSec: Math.round(args.messages / insertSeconds) });

    let indexBytesPerMessage: number | null = null;
    let indexSource = 'estimate';
    try {
      const stats = await db.db.command({ collStats: 'messages' });
      const size = stats.indexSizes?.['terms_1_sessionid_1_dateline_-1__id_-1'];
      if (typeof size === 'number' && size > 0) {
        indexBytesPerMessage = Math.round(size / args.messages);
        indexSource = 'collStats';
      }
    } catch {
      // The stand-in has no collStats: estimated below.
    }
    // An entry holds a term, the sessionid (24 chars), the dateline (8), the _id (12) and a record id (8), plus about 8 bytes of key overhead.
    const avgTermBytes = (termBytes - args.messages * 5) / Math.max(1, termCount) - 3;
    const estimate = Math.round((termCount / args.messages) * (avgTermBytes + 24 + 8 + 12 + 8 + 8));
    printJson({
      bench: 'search-index-size',
      termsPerMessage: Number((termCount / args.messages).toFixed(1)),
      termsBytesPerMessage: Math.round(termBytes / args.messages),
      indexBytesPerMessage: indexBytesPerMessage ?? estimate,
      indexSource,
    });

    const search = new MessageSearch(db);
    const mine = conversations.slice(0, args.member);
    const kinds: QueryKind[] = ['zh-word', 'zh-phrase', 'zh-char', 'en-word', 'en-two-words', 'en-prefix', 'rare'];
    const byKind = new Map<string, number[]>();
    const all: number[] = [];
    const qrnd = new Random(args.seed + 1);
    // a few queries first, so the first measured one does not pay for warm-up
    for (let i = 0; i < 5; i++) await search.search({ text: query(qrnd, 'zh-word'), sessionids: mine, limit: 20 });
    let found = 0;
    for (let i = 0; i < args.queries; i++) {
      const kind = kinds[i % kinds.length];
      const scope = i % 4 === 3 ? 'one' : 'all';
      const text = query(qrnd, kind);
      const t = performance.now();
      const page = await search.search({ text, sessionids: scope === 'one' ? [mine[qrnd.int(mine.length)]] : mine, limit: 20 });
      const ms = performance.now() - t;
      found += page.length;
      all.push(ms);
      const key = `${kind}/${scope}`;
      byKind.set(key, [...(byKind.get(key) ?? []), ms]);
    }
    for (const [key, list] of [...byKind].sort()) {
      list.sort((a, b) => a - b);
      printJson({ bench: 'search-query', kind: key, queries: list.length, p50ms: Number(percentile(list, 50).toFixed(2)), p99ms: Number(percentile(list, 99).toFixed(2)) });
    }
    all.sort((a, b) => a - b);
    printJson({
      bench: 'search-latency',
      server: dev ? 'devmongo' : 'mongodb',
      messages: args.messages,
      memberOf: args.member,
      conversations: args.conversations,
      queries: all.length,
      avgResults: Number((found / all.length).toFixed(1)),
      p50ms: Number(percentile(all, 50).toFixed(2)),
      p99ms: Number(percentile(all, 99).toFixed(2)),
      maxms: Number(all[all.length - 1].toFixed(2)),
    });
  } finally {
    if (process.env.MONGO_URL) await db.db.dropDatabase().catch(() => undefined);
    await db.close();
    await dev?.close();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
