/**
 * `npm run bench -- hls [--duration 20] [--width 640] [--height 480] [--configs "480:1200|480:1200,240:400"] [--modes hls,llhls,rtc] [--together 0]`
 *
 * Live streaming end to end on this machine: a Node WebRTC publisher (@roamhq/wrtc) paints the
 * wall clock into its video frames (24 bits of milliseconds and a check byte as black and white
 * blocks), goes live through the real server (LL-HLS on), mediasoup and ffmpeg, and the product's
 * own viewer page (/live/:id in Debian's Chromium) plays it once per viewing mode (`--modes`:
 * classic HLS and LL-HLS through hls.js, real time over WebRTC; each page is put in its mode by
 * the session choice the mode menu stores), one mode after the other on the same stream
 * (`--together 1`: all at once); each page reads the painted clock off its playing video. Per
 * rendition set (`--configs`, `|`-separated LIVE_RENDITIONS values) one JSON line: time from
 * live:start to the first segment (and LL part) listed; per mode the time from opening the page
 * to the first frame shown, the glass-to-player latency (p50/p95 of shown-clock vs the real clock,
 * same machine) beside the page's own delay readout (its pill), and stalls; ffmpeg's CPU (percent
 * of one core) for the stream. A last line sets the CPU per rendition and the latencies against
 * the goals and the 6.9 s measured for plain HLS (3 x 2 s segments) in ENVIRONMENT.md.
 */
import { readFileSync } from 'node:fs';
import { ensureMediasoupWorker } from '../standins/mediasoup/ensureMediasoupWorker.mjs';
import { launchBrowser } from '../test/support/browser';
import { connectWithWelcome, createGroup, registerUser } from '../test/support/client';
import { startServer } from '../test/support/server';
import { numberArgs, percentile, printJson } from './lib/args';
import { LivePeer, ffmpegPids } from '../test/support/live';
import type { FramePainter } from '../test/support/media';

const args = numberArgs({ duration: 20, width: 640, height: 480, together: 0 });
const configsArg = process.argv.indexOf('--configs');
const configs = (configsArg > 0 ? process.argv[configsArg + 1]! : '480:1200|480:1200,240:400').split('|');
const modesArg = process.argv.indexOf('--modes');
type Mode = 'hls' | 'llhls' | 'rtc';
const modes = (modesArg > 0 ? process.argv[modesArg + 1]! : 'hls,llhls,rtc').split(',') as Mode[];
const BASELINE_PLAIN_HLS_MS = 6900;

const COLS = 8;
const ROWS = 4;
const clock24 = () => Date.now() % 2 ** 24;
const check = (ts: number) => ((ts & 0xff) ^ ((ts >> 8) & 0xff) ^ ((ts >> 16) & 0xff) ^ 0x5a) & 0xff;

/** 32 blocks: the low 24 bits of the clock in ms, then a check byte; white is 1. */
const clockPainter: FramePainter = (frame, width, height) => {
  const ts = clock24();
  const word = ts | (check(ts) << 24);
  const bw = Math.floor(width / COLS);
  const bh = Math.floor(height / ROWS);
  for (let bit = 0; bit < COLS * ROWS; bit++) {
    const value = (word >>> bit) & 1 ? 235 : 16;
    const x0 = (bit % COLS) * bw;
    const y0 = Math.floor(bit / COLS) * bh;
    for (let y = y0; y < y0 + bh; y++) frame.fill(value, y * width + x0, y * width + x0 + bw);
  }
  frame.fill(128, width * height);
};

/** Reads the clock off the playing <video> (runs in the page). */
function readClock(grid: { cols: number; rows: number }): { ts: number; ok: boolean; now: number } | null {
  const video = document.querySelector('video');
  if (!video || video.readyState < 2 || !video.videoWidth) return null;
  const canvas = document.createElement('canvas');
  canvas.width = video.videoWidth;
  canvas.height = video.videoHeight;
  const g = canvas.getContext('2d', { willReadFrequently: true })!;
  g.drawImage(video, 0, 0);
  const now = Date.now() % 2 ** 24;
  const bw = canvas.width / grid.cols;
  const bh = canvas.height / grid.rows;
  let word = 0;
  for (let bit = 0; bit < grid.cols * grid.rows; bit++) {
    const x = Math.floor((bit % grid.cols) * bw + bw / 2);
    const y = Math.floor(Math.floor(bit / grid.cols) * bh + bh / 2);
    if (g.getImageData(x, y, 1, 1).data[0]! > 128) word |= 1 << bit;
  }
  word >>>= 0;
  const ts = word & 0xffffff;
  const c = (word >>> 24) & 0xff;
  const expected = ((ts & 0xff) ^ ((ts >> 8) & 0xff) ^ ((ts >> 16) & 0xff) ^ 0x5a) & 0xff;
  return { ts, ok: c === expected, now };
}

/** utime + stime of a process, in seconds. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function waitUntil<T>(probe: () => Promise<T | null | false>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => null);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function runConfig(renditions: string): Promise<Record<string, unknown>> {
  const rtcPort = 20_000 + Math.floor(Math.random() * 400) * 50;
  const server = await startServer({ workers: 1, env: { LIVE_RENDITIONS: renditions, RTC_PORT: String(rtcPort), LIVE_LLHLS: '1' } });
  const browser = await launchBrowser();
  const publisherProcessStart = process.cpuUsage();
  let publisher: LivePeer | null = null;
  try {
    const [alice, bob] = await Promise.all([registerUser(server.url, 'Publisher'), registerUser(server.url, 'Viewer')]);
    const group = await createGroup(server.url, alice, 'Bench', { visabletype: 1, jointype: 0 });
    await fetch(`${server.url}/api/sessions/${group.sessionid}/join`, { method: 'POST', headers: { authorization: `Bearer ${bob.token}` } });
    const { socket } = await connectWithWelcome(server.url, alice.token);
    publisher = new LivePeer(socket, { width: args.width, height: args.height, paint: clockPainter });
    await publisher.create({ title: 'Bench', sessionid: group.sessionid });
    const startedAt = Date.now();
    const stream = await publisher.start();
    const master = new URL(stream.hlsUrl, server.url);
    const firstRendition = renditions.split(',')[0]!.split(':')[0]!;
    await waitUntil(async () => {
      const text = await (await fetch(new URL(`${firstRendition}p/index.m3u8`, master))).text();
      return text.includes('#EXTINF');
    }, 30_000, 'the first segment');
    const firstSegmentMs = Date.now() - startedAt;

    const firstPart = modes.includes('llhls') ? await waitUntil(async () => {
      if (!stream.llHlsUrl) throw new Error('the stream has no llHlsUrl (LIVE_LLHLS off?)');
      const multivariant = new URL(stream.llHlsUrl, server.url);
      const variant = (await (await fetch(multivariant)).text()).split('\n').find((line) => line && !line.startsWith('#'));
      if (!variant) return false;
      return (await (await fetch(new URL(variant, multivariant))).text()).includes('#EXT-X-PART:');
    }, 30_000, 'the first LL-HLS part') : false;
    const firstPartMs = firstPart ? Date.now() - startedAt : null;

    const me = (await (await fetch(`${server.url}/api/me`, { headers: { authorization: `Bearer ${bob.token}` } })).json()) as { user: unknown };
    const grid = { cols: COLS, rows: ROWS };
    const openViewer = async (mode: Mode) => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      await context.addInitScript(([token, user, mode]) => {
        // Stalls: the player ran out of buffer (media events do not bubble; a capturing listener sees them).
        (window as unknown as { __stalls: number }).__stalls = 0;
        document.addEventListener('waiting', () => (window as unknown as { __stalls: number }).__stalls++, true);
        localStorage.setItem('cookim.token', JSON.stringify(token));
        localStorage.setItem('cookim.user', JSON.stringify(user));
        localStorage.setItem('cookim.debug', '1');
        // the viewer's mode choice (web/src/stores/liveMode.ts)
        sessionStorage.setItem('cookim.liveMode', mode);
      }, [bob.token, me.user, mode] as const);
      const page = await context.newPage();
      const opened = Date.now();
      await page.goto(`${server.url}/live/${stream.streamid}`);
      await waitUntil(async () => {
        const r = await page.evaluate(readClock, grid);
        return r?.ok ? r : null;
      }, 45_000, `the first frame in the ${mode} player`);
      const firstFrameMs = Date.now() - opened;
      // Count stalls from here: the start itself waits for data by design.
      await page.evaluate(() => ((window as unknown as { __stalls: number }).__stalls = 0));
      return { mode, context, page, firstFrameMs, latencies: [] as number[], readouts: [] as number[], unreadable: 0, played: new Set<string>() };
    };
    type Viewer = Awaited<ReturnType<typeof openViewer>>;

    const pid = ffmpegPids(stream.streamid)[0] ?? null;
    const cpu0 = pid ? cpuSeconds(pid) : 0;
    const wall0 = Date.now();
    const measure = async (group: Viewer[]) => {
      const end = Date.now() + args.duration * 1000;
      while (Date.now() < end) {
        for (const v of group) {
          const r = await v.page.evaluate(readClock, grid);
          if (r?.ok) v.latencies.push((r.now - r.ts + 2 ** 24) % 2 ** 24);
          else v.unreadable++;
          const hook = await v.page.evaluate(() => {
            const live = (window as unknown as { __cookimLive?: { mode: string | null; latency: number | null } }).__cookimLive;
            return live ? { mode: live.mode, latency: live.latency } : null;
          });
          if (hook?.mode) v.played.add(hook.mode);
          if (hook?.latency !== null && hook?.latency !== undefined) v.readouts.push(hook.latency * 1000);
        }
        await new Promise((res) => setTimeout(res, 250));
      }
      // stalls counted while measuring; the page is done with after that when one at a time
      return Promise.all(group.map(async (v) => ({ v, stalls: await v.page.evaluate(() => (window as unknown as { __stalls: number }).__stalls) })));
    };
    const viewers: { v: Viewer; stalls: number }[] = [];
    if (args.together) {
      // --together 1: one page per mode, all watching at once (the same frames, more load on the machine)
      const group = await Promise.all(modes.map(openViewer));
      viewers.push(...(await measure(group)));
    } else {
      // one mode after the other on the same stream: one player decoding at a time
      for (const mode of modes) {
        const v = await openViewer(mode);
        viewers.push(...(await measure([v])));
        await v.context.close();
      }
    }
    const cpuPercent = pid ? (100 * (cpuSeconds(pid) - cpu0)) / ((Date.now() - wall0) / 1000) : null;
    const byMode: Record<string, unknown> = {};
    for (const { v, stalls } of viewers) {
      const sorted = v.latencies.sort((x, y) => x - y);
      const readouts = v.readouts.sort((x, y) => x - y);
      byMode[v.mode] = {
        // the mode the page actually played (a fallback would show here)
        played: [...v.played].join(','),
        firstFrameAfterOpeningMs: v.firstFrameMs,
        glassToPlayerMs: { p50: percentile(sorted, 50), p95: percentile(sorted, 95), min: sorted[0], max: sorted[sorted.length - 1], samples: sorted.length, unreadable: v.unreadable },
        pillReadoutMs: { p50: Math.round(percentile(readouts, 50)), p95: Math.round(percentile(readouts, 95)) },
        stallsWhilePlaying: stalls,
      };
    }
    const used = process.cpuUsage(publisherProcessStart);
    await publisher.stop().catch(() => undefined);
    await Promise.all(viewers.map(({ v }) => v.context.close()));
    return {
      bench: 'hls',
      renditions,
      source: `${args.width}x${args.height}@30 VP8 (WebRTC)`,
      segmentSeconds: 1,
      firstSegmentMs,
      firstLlHlsPartMs: firstPartMs,
      viewersAtOnce: args.together ? modes.length : 1,
      modes: byMode,
      ffmpegCpuPercentOfOneCore: cpuPercent === null ? null : Math.round(cpuPercent * 10) / 10,
      benchProcessCpuPercent: Math.round(((used.user + used.system) / 1e6 / ((Date.now() - startedAt) / 1000)) * 1000) / 10,
    };
  } finally {
    publisher?.close();
    await browser.close();
    await server.stop();
  }
}

process.env.MEDIASOUP_WORKER_BIN = await ensureMediasoupWorker({ log: (line) => process.stderr.write(`[mediasoup-worker] ${line}\n`) });
const results: Record<string, unknown>[] = [];
for (const config of configs) {
  const r = await runConfig(config);
  printJson(r);
  results.push(r);
}
const cpu = results.map((r) => r.ffmpegCpuPercentOfOneCore as number | null);
const counts = configs.map((c) => c.split(',').length);
const perExtraRendition =
  results.length >= 2 && cpu[0] !== null && cpu[1] !== null && counts[1]! > counts[0]! ? (cpu[1]! - cpu[0]!) / (counts[1]! - counts[0]!) : null;
const p50Of = (r: Record<string, unknown>, mode: Mode) =>
  ((r.modes as Record<string, { glassToPlayerMs: { p50: number } }>)[mode]?.glassToPlayerMs.p50 ?? null);
printJson({
  bench: 'hls-summary',
  glassToPlayerP50Ms: Object.fromEntries(modes.map((m) => [m, results.map((r) => p50Of(r, m))])),
  goalsMs: { llhls: 1500, rtc: 500 },
  plainHls3x2sMs: BASELINE_PLAIN_HLS_MS,
  firstSegmentMs: results.map((r) => r.firstSegmentMs),
  ffmpegCpuPercentPerStream: cpu,
  cpuPercentPerExtraRendition: perExtraRendition === null ? null : Math.round(perExtraRendition * 10) / 10,
});
process.exit(0);
