/**
 * The load generator shared by the chat benchmarks: N Socket.IO clients, each sending at a steady
 * rate; every delivery's latency is measured from the sender's clock (same process).
 */
import { performance } from 'node:perf_hooks';
import { io, type Socket } from 'socket.io-client';
import { percentile } from './args';

export interface LoadClient {
  url: string;
  auth: Record<string, unknown>;
  /** The payload of one send, given the text to carry. */
  payload: (text: string, seq: number) => unknown;
}

export interface LoadResult {
  clients: number;
  sent: number;
  acked: number;
  failed: number;
  failures: Record<string, number>;
  delivered: number;
  deliveredPerSec: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

async function connectAll(specs: LoadClient[]): Promise<Socket[]> {
  const sockets: Socket[] = [];
  for (let i = 0; i < specs.length; i += 50) {
    const batch = specs.slice(i, i + 50).map(
      (spec) =>
        new Promise<Socket>((resolve, reject) => {
          const s = io(spec.url, { auth: spec.auth, transports: ['websocket'], reconnection: false, forceNew: true });
          s.once('connect', () => resolve(s));
          s.once('connect_error', reject);
        }),
    );
    sockets.push(...(await Promise.all(batch)));
  }
  return sockets;
}

export async function runLoad(specs: LoadClient[], ratePerClient: number, warmupS: number, durationS: number): Promise<LoadResult> {
  const sockets = await connectAll(specs);
  let measuring = false;
  const latencies: number[] = [];
  let delivered = 0;
  for (const s of sockets) {
    s.on('message', (m: { msg: string }) => {
      if (!measuring) return;
      const sentAt = Number(m.msg.slice(2));
      if (!Number.isFinite(sentAt)) return;
      delivered++;
      latencies.push(performance.now() - sentAt);
    });
  }
  let sent = 0;
  let acked = 0;
  let failed = 0;
  const failures: Record<string, number> = {};
  const intervalMs = 1000 / ratePerClient;
  const nextAt = sockets.map((_, i) => performance.now() + (i / sockets.length) * intervalMs);
  let counter = 0;
  const tick = setInterval(() => {
    const now = performance.now();
    for (let i = 0; i < sockets.length; i++) {
      if (nextAt[i] > now) continue;
      nextAt[i] += intervalMs;
      const s = sockets[i];
      const seq = ++counter;
      sent++;
      s.timeout(15_000).emit('message:send', specs[i].payload(`t:${performance.now()}`, seq), (err: unknown, res: { error?: unknown }) => {
        if (err || res?.error) {
          failed++;
          const code = err ? 'ack_timeout' : String((res.error as { code?: string }).code);
          failures[code] = (failures[code] ?? 0) + 1;
        } else acked++;
      });
    }
  }, 5);
  await new Promise((r) => setTimeout(r, warmupS * 1000));
  measuring = true;
  const start = performance.now();
  await new Promise((r) => setTimeout(r, durationS * 1000));
  measuring = false;
  const elapsed = (performance.now() - start) / 1000;
  clearInterval(tick);
  await new Promise((r) => setTimeout(r, 1500));
  for (const s of sockets) s.close();
  latencies.sort((a, b) => a - b);
  return {
    clients: sockets.length,
    sent,
    acked,
    failed,
    failures,
    delivered,
    deliveredPerSec: Math.round(delivered / elapsed),
    p50Ms: Number(percentile(latencies, 50).toFixed(2)),
    p99Ms: Number(percentile(latencies, 99).toFixed(2)),
    maxMs: Number((latencies.at(-1) ?? NaN).toFixed(2)),
  };
}
