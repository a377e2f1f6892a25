/**
 * The HLS pipeline copies an H.264 source at the top rendition's size (S27): ffmpeg (libx264)
 * sends H.264 RTP into a mediasoup producer, as an OBS publishing over WHIP does; the pipeline
 * reads the size from the SPS, reports `copy`, and its ffmpeg uses far less CPU than the same
 * stream encoded (`encode`, as a VP8 source is). A source of another size is encoded.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { types } from 'mediasoup';
import { callMediaCodecs, HlsPipeline, loadMediasoup } from '../../media';
import { ffmpegPids } from '../support/live';
import { prepareMediasoup } from '../support/media';
import { sleep, waitFor } from '../support/wait';

let worker: types.Worker;
let router: types.Router;
const children: ChildProcess[] = [];
const dirs: string[] = [];

/** An H.264 producer fed by ffmpeg's test pattern (a keyframe a second, SPS/PPS before each). */
async function h264Source(width: number, height: number): Promise<types.Producer> {
  const transport = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, rtcpMux: true, comedia: true });
  const ssrc = 100_000 + Math.floor(Math.random() * 1e6);
  const producer = await transport.produce({
    kind: 'video',
    rtpParameters: {
      codecs: [{ mimeType: 'video/H264', payloadType: 102, clockRate: 90000, parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f' } }],
      encodings: [{ ssrc }],
    },
  });
  const child = spawn('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', `testsrc2=size=${width}x${height}:rate=30`,
    '-c:v', 'libx264', '-profile:v', 'baseline', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '30', '-b:v', '800k',
    '-bsf:v', 'dump_extra=freq=keyframe', '-payload_type', '102', '-ssrc', String(ssrc),
    '-f', 'rtp', `rtp://127.0.0.1:${transport.tuple.localPort}?pkt_size=1200`,
  ], { stdio: ['ignore', 'ignore', 'inherit'] });
  children.push(child);
  return producer;
}

async function pipeline(producer: types.Producer, name: string, copyH264: boolean): Promise<{ pipeline: HlsPipeline; dir: string }> {
  const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'hlscopy-')), name);
  dirs.push(path.dirname(dir));
  const p = await HlsPipeline.start({
    router,
    producerIds: [producer.id],
    outDir: dir,
    ffmpegPath: 'ffmpeg',
    renditions: [
      { name: '360p', height: 360, videoBitrate: 800_000 },
      { name: '180p', height: 180, videoBitrate: 200_000 },
    ],
    segmentSeconds: 1,
    threads: 1,
    copyH264,
    log: (level, message, details) => level === 'error' && process.stderr.write(`[${name}] ${message} ${JSON.stringify(details ?? {})}\n`),
  });
  return { pipeline: p, dir };
}

/** CPU seconds (user + system) of a process so far. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const segmentsOf = (dir: string, rendition: string) => {
  try {
    return readFileSync(path.join(dir, rendition, 'index.m3u8'), 'utf8').split('\n').filter((l) => l.endsWith('.ts'));
  } catch {
    return [];
  }
};

before(
  async () => {
    await prepareMediasoup();
    const mediasoup = await loadMediasoup();
    worker = await mediasoup.createWorker({ logLevel: 'warn' });
    router = await worker.createRouter({ mediaCodecs: callMediaCodecs });
  },
  { timeout: 15 * 60_000 },
);
after(() => {
  for (const c of children) c.kill('SIGKILL');
  worker?.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('HLS copy path', { timeout: 90_000 }, () => {
  test('an H.264 source at the top size is copied: segments, and far less ffmpeg CPU than encoding it', async () => {
    const source = await h264Source(640, 360);
    const copied = await pipeline(source, 'copied', true);
    const encoded = await pipeline(source, 'encoded', false);
    try {
      assert.equal(copied.pipeline.mode, 'copy');
      assert.equal(encoded.pipeline.mode, 'encode');
      for (const { dir } of [copied, encoded]) {
        await waitFor(`segments in ${path.basename(dir)}`, () => segmentsOf(dir, '360p').length >= 2 && segmentsOf(dir, '180p').length >= 2, 20_000);
      }
      const [copyPid] = ffmpegPids('copied');
      const [encodePid] = ffmpegPids('encoded');
      assert.ok(copyPid && encodePid, 'both ffmpeg processes run');
      const start = [cpuSeconds(copyPid), cpuSeconds(encodePid)];
      await sleep(5000);
      const copyCpu = cpuSeconds(copyPid) - start[0]!;
      const encodeCpu = cpuSeconds(encodePid) - start[1]!;
      process.stderr.write(`ffmpeg CPU over 5 s: copy ${copyCpu.toFixed(2)} s, encode ${encodeCpu.toFixed(2)} s\n`);
      assert.ok(copyCpu < encodeCpu * 0.6, `copy ${copyCpu} s vs encode ${encodeCpu} s`);
      // The copied rendition is the source as sent: its first segment's video is 640x360 baseline H.264.
      const first = path.join(copied.dir, '360p', segmentsOf(copied.dir, '360p')[0]!);
      const probe = await new Promise<string>((resolve) => {
        const p = spawn('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height,profile', '-of', 'csv=p=0', first]);
        let out = '';
        p.stdout.on('data', (d) => (out += d));
        p.on('close', () => resolve(out.trim()));
      });
      assert.match(probe, /Baseline,640,360/);
    } finally {
      await Promise.all([copied.pipeline.stop(), encoded.pipeline.stop()]);
    }
  });

  test('an H.264 source of another size is encoded', async () => {
    const source = await h264Source(320, 240);
    const other = await pipeline(source, 'other-size', true);
    try {
      assert.equal(other.pipeline.mode, 'encode');
    } finally {
      await other.pipeline.stop();
    }
  });
});
