/**
 * `npm run bench -- sfu [--publishers 4] [--steps 10,25,50,100,150,200,250] [--duration 5] [--videoKbps 500] [--audioKbps 40] [--maxLoss 1] [--maxCpu 90]`
 *
 * How many consumers one mediasoup worker forwards on this machine. Publishers send synthetic
 * VP8 video (~500 kbps, 30 frames/s, key-frame headers so every frame is forwardable) and Opus-sized
 * audio (50 packets/s) as plain RTP over UDP into PlainTransports; every subscriber (a PlainTransport
 * whose RTP comes back to one of a few local UDP sockets) consumes every publisher's audio and
 * video, so consumers = 2 x publishers x subscribers. Each step runs `duration` seconds and prints
 * a JSON line: packet loss, worker CPU (worker.getResourceUsage()), CPU per consumer, forwarding
 * latency (send time carried in the payload), and the generator's own CPU (it shares the machine).
 * The ramp stops at the first step over --maxLoss % loss or --maxCpu % worker CPU. mediasoup's
 * documentation puts one worker at about 500 consumers (WebRTC, with SRTP; this is plain RTP).
 */
import dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';
import type { types } from 'mediasoup';
import { ensureMediasoupWorker } from '../standins/mediasoup/ensureMediasoupWorker.mjs';
import { numberArgs, percentile, printJson } from './lib/args';

const args = numberArgs({ publishers: 4, duration: 5, videoKbps: 500, audioKbps: 40, maxLoss: 1, maxCpu: 90, receivers: 4 });
const stepsArg = process.argv.indexOf('--steps');
const steps = (stepsArg > 0 ? process.argv[stepsArg + 1] : '10,25,50,100,150,200,250,300').split(',').map(Number);

const IP = '127.0.0.1';
const OPUS_PT = 100;
const VP8_PT = 101;
const VIDEO_FPS = 30;
const VIDEO_PACKET = 1100;
const AUDIO_PTIME = 20;
const nowUs = () => Number(process.hrtime.bigint() / 1000n);

interface Publisher {
  index: number;
  socket: dgram.Socket;
  port: number;
  audio: types.Producer;
  video: types.Producer;
  audioSeq: number;
  videoSeq: number;
  sent: number;
}

function rtp(pt: number, ssrc: number, seq: number, ts: number, marker: boolean, payload: Buffer): Buffer {
  const h = Buffer.allocUnsafe(12);
  h[0] = 0x80;
  h[1] = (marker ? 0x80 : 0) | pt;
  h.writeUInt16BE(seq & 0xffff, 2);
  h.writeUInt32BE(ts >>> 0, 4);
  h.writeUInt32BE(ssrc >>> 0, 8);
  return Buffer.concat([h, payload]);
}

/** VP8 payload: descriptor + (first packet of a frame) a key-frame header, then filler; the last 8 bytes are the send time (µs). */
function vp8Payload(size: number, first: boolean): Buffer {
  const p = Buffer.alloc(size, 0x5a);
  if (first) Buffer.from([0x10, 0x50, 0x02, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00]).copy(p);
  else p[0] = 0x00;
  p.writeDoubleBE(nowUs(), size - 8);
  return p;
}

function opusPayload(size: number): Buffer {
  const p = Buffer.alloc(size, 0x33);
  p[0] = 0xfc;
  p.writeDoubleBE(nowUs(), size - 8);
  return p;
}

function udp(recvBuffer = 0): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket({ type: 'udp4', recvBufferSize: recvBuffer || undefined, sendBufferSize: 4 << 20 });
    s.once('error', reject);
    s.bind(0, IP, () => resolve(s));
  });
}

async function main(): Promise<void> {
  process.env.MEDIASOUP_WORKER_BIN = await ensureMediasoupWorker({ log: (l) => process.stderr.write(`[mediasoup-worker] ${l}\n`) });
  const mediasoup = await import('mediasoup');
  const worker = await mediasoup.createWorker({ logLevel: 'error' });
  const router = await worker.createRouter({
    mediaCodecs: [
      { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
      { kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
    ],
  });

  // Receivers: a few UDP sockets shared by all subscriber transports; packets are told apart by SSRC.
  const receivers = await Promise.all(Array.from({ length: args.receivers }, () => udp(8 << 20)));
  let counting = false;
  let received = 0;
  let receivedBytes = 0;
  let latencies: number[] = [];
  for (const r of receivers) {
    r.on('message', (msg) => {
      // RTCP (rtcp-mux) and mediasoup's padding-only bandwidth probes are not forwarded media.
      if (!counting || msg.length < 20 || (msg[1] >= 192 && msg[1] <= 223) || msg[0] & 0x20) return;
      received++;
      receivedBytes += msg.length;
      if ((received & 7) === 0) {
        const latency = nowUs() - msg.readDoubleBE(msg.length - 8);
        if (latency >= 0 && latency < 10_000_000) latencies.push(latency);
      }
    });
  }

  const publishers: Publisher[] = [];
  for (let i = 0; i < args.publishers; i++) {
    const transport = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: IP }, rtcpMux: true, comedia: true });
    const audio = await transport.produce({
      kind: 'audio',
      rtpParameters: { codecs: [{ mimeType: 'audio/opus', payloadType: OPUS_PT, clockRate: 48000, channels: 2 }], encodings: [{ ssrc: 1000 + i * 2 }] },
    });
    const video = await transport.produce({
      kind: 'video',
      rtpParameters: { codecs: [{ mimeType: 'video/VP8', payloadType: VP8_PT, clockRate: 90000 }], encodings: [{ ssrc: 1001 + i * 2 }] },
    });
    const socket = await udp();
    publishers.push({ index: i, socket, port: transport.tuple.localPort, audio, video, audioSeq: 0, videoSeq: 0, sent: 0 });
  }

  // Senders: every 10 ms, the audio and video packets due for each publisher.
  const videoBytesPerFrame = (args.videoKbps * 1000) / 8 / VIDEO_FPS;
  const packetsPerFrame = Math.max(1, Math.round(videoBytesPerFrame / VIDEO_PACKET));
  const audioBytes = Math.max(20, Math.round((args.audioKbps * 1000) / 8 / (1000 / AUDIO_PTIME)));
  const t0 = Date.now();
  let framesSent = 0;
  let audioSent = 0;
  const sendTick = setInterval(() => {
    const elapsed = Date.now() - t0;
    const framesDue = Math.floor((elapsed * VIDEO_FPS) / 1000);
    const audioDue = Math.floor(elapsed / AUDIO_PTIME);
    for (; framesSent < framesDue; framesSent++) {
      for (const p of publishers) {
        for (let k = 0; k < packetsPerFrame; k++) {
          const pkt = rtp(VP8_PT, 1001 + p.index * 2, p.videoSeq++, framesSent * 3000, k === packetsPerFrame - 1, vp8Payload(Math.round(videoBytesPerFrame / packetsPerFrame), k === 0));
          p.socket.send(pkt, p.port, IP);
          if (counting) p.sent++;
        }
      }
    }
    for (; audioSent < audioDue; audioSent++) {
      for (const p of publishers) {
        p.socket.send(rtp(OPUS_PT, 1000 + p.index * 2, p.audioSeq++, audioSent * 960, false, opusPayload(audioBytes)), p.port, IP);
        if (counting) p.sent++;
      }
    }
  }, 10);

  const subscribers: types.PlainTransport[] = [];
  let consumers = 0;
  let stopReason = '';
  for (const target of steps) {
    while (subscribers.length < target) {
      const t = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: IP }, rtcpMux: true, comedia: false });
      const r = receivers[subscribers.length % receivers.length];
      await t.connect({ ip: IP, port: (r.address() as AddressInfo).port });
      for (const p of publishers) {
        for (const producer of [p.audio, p.video]) {
          await t.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });
          consumers++;
        }
      }
      subscribers.push(t);
    }
    await new Promise((r) => setTimeout(r, 1000)); // settle: key frames, sockets
    for (const p of publishers) p.sent = 0;
    received = 0;
    receivedBytes = 0;
    latencies = [];
    const usage0 = await worker.getResourceUsage();
    const self0 = process.cpuUsage();
    const wall0 = Date.now();
    counting = true;
    await new Promise((r) => setTimeout(r, args.duration * 1000));
    counting = false;
    const wallMs = Date.now() - wall0;
    const usage1 = await worker.getResourceUsage();
    const self1 = process.cpuUsage(self0);
    await new Promise((r) => setTimeout(r, 300)); // packets in flight are not counted (counting is off): a small bias towards loss
    const sent = publishers.reduce((s, p) => s + p.sent, 0);
    const expected = sent * subscribers.length;
    const cpuMs = usage1.ru_utime + usage1.ru_stime - (usage0.ru_utime + usage0.ru_stime);
    const workerCpu = (100 * cpuMs) / wallMs;
    const lossPct = expected ? Math.max(0, (100 * (expected - received)) / expected) : 0;
    latencies.sort((a, b) => a - b);
    printJson({
      bench: 'sfu',
      publishers: publishers.length,
      subscribers: subscribers.length,
      consumers,
      forwardedPerSecond: Math.round((received * 1000) / wallMs),
      receivedMbps: Number(((receivedBytes * 8) / 1000 / wallMs).toFixed(1)),
      lossPct: Number(lossPct.toFixed(2)),
      workerCpuPct: Number(workerCpu.toFixed(1)),
      workerCpuPctPerConsumer: Number((workerCpu / consumers).toFixed(4)),
      workerCpuUsPerPacket: received ? Number(((cpuMs * 1000) / received).toFixed(2)) : null,
      latencyMs: {
        p50: Number((percentile(latencies, 50) / 1000).toFixed(2)),
        p99: Number((percentile(latencies, 99) / 1000).toFixed(2)),
        max: Number(((latencies[latencies.length - 1] ?? NaN) / 1000).toFixed(2)),
      },
      generatorCpuPct: Number(((100 * (self1.user + self1.system)) / 1000 / wallMs).toFixed(1)),
    });
    if (lossPct > args.maxLoss) {
      stopReason = `loss ${lossPct.toFixed(2)}% > ${args.maxLoss}%`;
      break;
    }
    if (workerCpu > args.maxCpu) {
      stopReason = `worker CPU ${workerCpu.toFixed(0)}% > ${args.maxCpu}%`;
      break;
    }
  }
  clearInterval(sendTick);
  printJson({ bench: 'sfu', summary: true, maxConsumersTried: consumers, stoppedBy: stopReason || 'end of ramp', mediasoupDocumented: 500 });
  worker.close();
  for (const s of [...receivers, ...publishers.map((p) => p.socket)]) s.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
