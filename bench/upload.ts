/**
 * `npm run bench -- upload [--count 20] [--size 10] [--parallel 1] [--workers 1] [--reps 5]`
 *
 * Upload throughput: `count` uploads of `size` MB (distinct random bytes, so nothing is
 * deduplicated) over loopback to the real server (multipart, md5-checked, streamed to disk, moved
 * into place, recorded), next to a plain disk write of the same bytes in the same run (the ratio is
 * what the upload path costs over the disk). Then thumbnail cost: the product's Thumbnailer (sharp)
 * on generated JPEGs of a few sizes, in milliseconds per megapixel. JSON lines.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { Thumbnailer } from '../signaling/files/Thumbnailer';
import { registerUser } from '../test/support/client';
import { startServer } from '../test/support/server';
import { numberArgs, percentile, printJson } from './lib/args';

const args = numberArgs({ count: 20, size: 10, parallel: 1, workers: 1, reps: 5 });
const MB = 1024 * 1024;
const round = (n: number, digits = 1) => Number(n.toFixed(digits));

function payloads(): Buffer[] {
  const base = Buffer.alloc(args.size * MB);
  for (let i = 0; i < base.length; i += 4) base.writeUInt32LE((Math.random() * 0xffffffff) >>> 0, i);
  return Array.from({ length: args.count }, (_, i) => {
    const copy = Buffer.from(base);
    copy.writeUInt32LE(i, 0);
    copy.writeUInt32LE((Math.random() * 0xffffffff) >>> 0, 4);
    return copy;
  });
}

/** Runs `jobs` with at most `parallel` at once; answers each one's milliseconds. */
async function runAll(jobs: (() => Promise<void>)[], parallel: number): Promise<number[]> {
  const times: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(parallel, jobs.length) }, async () => {
      while (next < jobs.length) {
        const job = jobs[next++];
        const started = performance.now();
        await job();
        times.push(performance.now() - started);
      }
    }),
  );
  return times;
}

async function benchUploads(data: Buffer[]): Promise<{ upload: Record<string, unknown>; disk: Record<string, unknown> }> {
  const server = await startServer({
    workers: args.workers,
    env: {
      UPLOAD_MAX_BYTES: String(Math.max(100, args.size + 1) * MB),
      UPLOAD_RATE_PER_MINUTE: '100000',
      UPLOAD_CONCURRENCY: String(Math.max(3, args.parallel)),
    },
  });
  try {
    const user = await registerUser(server.url, 'Bench');
    // Client-side preparation (md5, multipart bodies) happens before the clock starts.
    const forms = data.map((bytes, i) => {
      const form = new FormData();
      form.append('md5', createHash('md5').update(bytes).digest('hex'));
      form.append('file', new Blob([new Uint8Array(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.length)]), `bench-${i}.bin`);
      return form;
    });
    // One small upload first: connection, JIT and database warm.
    const warm = new FormData();
    warm.append('md5', createHash('md5').update('warm').digest('hex'));
    warm.append('file', new Blob(['warm']), 'warm.txt');
    await fetch(`${server.url}/api/files`, { method: 'POST', body: warm, headers: { authorization: `Bearer ${user.token}` } });

    const started = performance.now();
    const times = await runAll(
      forms.map((form) => async () => {
        const res = await fetch(`${server.url}/api/files`, { method: 'POST', body: form, headers: { authorization: `Bearer ${user.token}` } });
        const body = await res.text();
        if (res.status !== 201) throw new Error(`upload failed: ${res.status} ${body}`);
      }),
      args.parallel,
    );
    const seconds = (performance.now() - started) / 1000;
    const totalMB = (data.length * data[0].length) / MB;
    times.sort((a, b) => a - b);
    const upload = {
      target: 'cookim-upload',
      workers: args.workers,
      parallel: args.parallel,
      mbPerSec: round(totalMB / seconds),
      p50Ms: round(percentile(times, 50)),
      maxMs: round(times.at(-1) ?? NaN),
    };

    // The same bytes written straight to the same disk (the server's data directory), one file each.
    const dir = mkdtempSync(path.join(server.dataDir, 'disk-bench-'));
    const diskStarted = performance.now();
    await runAll(
      data.map((bytes, i) => () => writeFile(path.join(dir, `plain-${i}`), bytes)),
      args.parallel,
    );
    const diskSeconds = (performance.now() - diskStarted) / 1000;
    rmSync(dir, { recursive: true, force: true });
    return { upload, disk: { target: 'disk-write', mbPerSec: round(totalMB / diskSeconds) } };
  } finally {
    await server.stop();
    rmSync(server.dataDir, { recursive: true, force: true });
  }
}

async function benchThumbnails(): Promise<Record<string, unknown>[]> {
  const dir = mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'cookim-thumb-bench-'));
  const thumbnailer = new Thumbnailer(100_000_000);
  const rows: Record<string, unknown>[] = [];
  try {
    for (const [width, height] of [
      [1000, 750],
      [2000, 1500],
      [4000, 3000],
    ]) {
      // Noise gives a photo-like JPEG (entropy to decode), not a flat colour.
      const file = path.join(dir, `${width}x${height}.jpg`);
      await sharp({ create: { width, height, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 40 } } })
        .jpeg({ quality: 85 })
        .toFile(file);
      await thumbnailer.thumbnail(file, path.join(dir, 'warm.webp'));
      const times: number[] = [];
      for (let i = 0; i < args.reps; i++) {
        const started = performance.now();
        await thumbnailer.thumbnail(file, path.join(dir, `thumb-${i}.webp`));
        times.push(performance.now() - started);
      }
      times.sort((a, b) => a - b);
      const megapixels = (width * height) / 1e6;
      const median = percentile(times, 50);
      rows.push({ bench: 'upload', target: 'thumbnail', width, height, megapixels, ms: round(median), msPerMegapixel: round(median / megapixels, 2) });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

const common = { bench: 'upload', uploads: args.count, sizeMB: args.size };
const data = payloads();
const { upload, disk } = await benchUploads(data);
printJson({ ...common, ...upload });
printJson({ ...common, ...disk });
printJson({ ...common, target: 'ratio', uploadToDisk: round((upload.mbPerSec as number) / (disk.mbPerSec as number), 3) });
for (const row of await benchThumbnails()) printJson(row);
process.exit(0);
