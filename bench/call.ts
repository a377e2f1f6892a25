/**
 * `npm run bench -- call [--steps 2,4,6,8,12,16,20] [--workers 1,2] [--duration 8] [--onScreen 9] [--maxLoss 1]
 *   [--width 640] [--height 360] [--fps 6] [--settle 3] [--pauseHidden 0] [--generators 2]`
 *
 * One group video call through the product, with real WebRTC peers (ICE + DTLS + SRTP, the web's
 * own media engine over @roamhq/wrtc, a flat synthetic camera at a low frame rate with the web's
 * simulcast encodings, and a tone; libwebrtc sends 2 layers at 640x360, 1 below 480x270, 3 from
 * 960x540, as Chrome does): the product is started as the tests start it (one process, calls' debug
 * view on), users register, one creates a group the others join, and a call grows step by step.
 * Every participant receives audio from everyone and video from at most `onScreen` others (the
 * first ones to join: a stable set of tiles); hidden video is not consumed at all, or, with
 * `--pauseHidden 1`, consumed and paused server-side (call:consumer:pause, on-screen subscriptions).
 * The peers live in `--generators` child processes (bench/lib/peerHost.ts), round-robin: wrtc has
 * one network thread per process for all its peer connections.
 *
 * Per step, after `settle` seconds, one JSON line measured over `duration` seconds: consumer objects
 * per mediasoup worker (call:debug), packet loss at the receivers (inbound-rtp packetsLost /
 * (packetsReceived + packetsLost), audio and video apart), each worker's CPU and the signaling
 * process's (from /proc: they run on this machine), the generator's CPU (process.cpuUsage of the peer
 * hosts and this process, wrtc's threads included), loss on the uplink (mediasoup's receiver reports
 * to the senders) and the join time of the step's new participants (call:join to their first
 * decoded remote video frame, p50/p95). The same ramp runs with MEDIA_WORKERS=1, 2, ... (`--workers`)
 * in one run, each stopping at its first step over `--maxLoss` %. The last line sums up: the largest
 * call and the most consumers per worker under that loss, against mediasoup's documented ~500
 * consumers per worker and bench/sfu's raw worker with SRTP (~1000 on this machine).
 */
import os from 'node:os';
import { prepareMediasoup } from '../test/support/media';
import { connectSocket, createGroup, joinGroup, registerUser, request, type TestSocket, type TestUser } from '../test/support/client';
import { debugInfo, startCallServer } from '../test/support/calls';
import { sleep } from '../test/support/wait';
import { listArg, numberArgs, percentile, printJson } from './lib/args';
import { consumersPerWorker, lossBetween, processCpuMs, summarize, type StepFigures } from './lib/callFigures';
import { PeerHosts } from './lib/PeerHosts';

const args = numberArgs({ duration: 8, onScreen: 9, maxLoss: 1, width: 640, height: 360, fps: 6, settle: 3, pauseHidden: 0, generators: 2 });
const steps = listArg('steps', [2, 4, 6, 8, 12, 16, 20]).sort((a, b) => a - b);
const workerCounts = listArg('workers', [1, 2]);
/** mediasoup's documentation: about 500 consumers per worker. */
const MEDIASOUP_DOCUMENTED_PER_WORKER = 500;
/** bench/sfu's raw worker on this machine, WebRTC with SRTP (earlier measurement, issue 15). */
const RAW_WORKER_SRTP_PER_WORKER = 1000;

const round = (n: number, digits = 1) => Number(n.toFixed(digits));

interface RampResult {
  steps: StepFigures[];
  stoppedBy: string;
}

async function ramp(mediaWorkers: number): Promise<RampResult> {
  const server = await startCallServer(1, {
    MEDIA_WORKERS: String(mediaWorkers),
    AUTH_RATE_PER_MINUTE: '100000',
    CALL_RING_TIMEOUT: '600',
  });
  const hosts = new PeerHosts(args.generators, {
    url: server.url,
    camera: { width: args.width, height: args.height, fps: args.fps },
    onScreen: args.onScreen,
    pauseHidden: args.pauseHidden === 1,
  });
  let first: TestSocket | null = null;
  const figures: StepFigures[] = [];
  let stoppedBy = 'end of ramp';
  try {
    const size = steps[steps.length - 1] ?? 0;
    const users: TestUser[] = [];
    for (let i = 0; i < size; i++) users.push(await registerUser(server.url, `Bench ${i}`));
    const group = await createGroup(server.url, users[0]!, 'Call bench');
    for (const u of users.slice(1)) await joinGroup(server.url, u, group.sessionid);
    // the starter's own socket: starts the call and asks call:debug (its peer joins from a host)
    first = await connectSocket(server.url, users[0]!.token);
    const { call } = await request<{ call: { callid: string } }>(first, 'call:start', { sessionid: group.sessionid, kind: 'video' });
    // join order: everyone shows the first `onScreen` others
    const order: string[] = [];

    for (const target of steps) {
      const joinMs: number[] = [];
      while (order.length < Math.min(target, users.length)) {
        const user = users[order.length]!;
        order.push(user.uid);
        const ms = await hosts.join({ name: `P${order.length - 1}`, uid: user.uid, token: user.token }, call.callid, [...order]);
        if (ms !== null) joinMs.push(ms);
      }
      await sleep(args.settle * 1000);

      const processes = await debugInfo(first);
      const workerPids = processes.flatMap((p) => p.workers.filter((w) => !w.closed).map((w) => w.pid));
      const signalingPid = server.process.pid!;
      const cpuNow = () => new Map([...workerPids, signalingPid].map((pid) => [pid, processCpuMs(pid)]));
      const gen0 = await hosts.snapshot();
      const cpu0 = cpuNow();
      const self0 = process.cpuUsage();
      const wall0 = performance.now();
      await sleep(args.duration * 1000);
      const cpu1 = cpuNow();
      const self1 = process.cpuUsage(self0);
      const wallMs = performance.now() - wall0;
      const gen1 = await hosts.snapshot();
      const cpuPct = (pid: number) => {
        const a = cpu0.get(pid);
        const b = cpu1.get(pid);
        return a == null || b == null ? null : round((100 * (b - a)) / wallMs);
      };
      const loss = lossBetween(gen0.inbound, gen1.inbound);
      const uplinkLoss = lossBetween(gen0.uplink, gen1.uplink);
      const workerCpu = Object.fromEntries(workerPids.map((pid) => [String(pid), cpuPct(pid)]));
      const signalingCpu = cpuPct(signalingPid);
      const workersCpu = Object.values(workerCpu).reduce<number>((a, b) => a + (b ?? 0), 0);
      const perWorker = consumersPerWorker(await debugInfo(first));
      const n = order.length;
      const layers = gen1.layers.sort((a, b) => a - b);
      joinMs.sort((a, b) => a - b);
      const step: StepFigures = { mediaWorkers, participants: n, lossPct: loss.lossPct, consumersPerWorker: perWorker };
      figures.push(step);
      printJson({
        bench: 'call',
        mediaWorkers,
        participants: n,
        onScreen: args.onScreen,
        consumers: Object.values(perWorker).reduce((s, c) => s + c, 0),
        // audio from everyone, video from up to onScreen others (or all of them, paused, with pauseHidden)
        consumersExpected: n * (n - 1) + n * (args.pauseHidden === 1 ? n - 1 : Math.min(args.onScreen, n - 1)),
        consumersPerWorker: perWorker,
        lossPct: loss.lossPct,
        audioLossPct: loss.audio.lossPct,
        videoLossPct: loss.video.lossPct,
        // senders to the worker, as the worker's receiver reports tell: the rest of the loss is downstream
        uplinkLossPct: uplinkLoss.lossPct,
        receivedPacketsPerSecond: Math.round((1000 * loss.received) / wallMs),
        workerCpuPct: workerCpu,
        // all workers' CPU per packet delivered to a receiver (bench/sfu's raw figure: ~7 µs, plain RTP)
        workerCpuUsPerPacket: loss.received ? round((workersCpu * 10 * wallMs) / loss.received, 1) : null,
        signalingCpuPct: signalingCpu,
        // the peer hosts and this process, in percent of one core
        generatorCpuPct: round((100 * (gen1.cpuUs - gen0.cpuUs + self1.user + self1.system)) / 1000 / wallMs),
        generators: args.generators,
        joinMs: { n: joinMs.length, p50: Math.round(percentile(joinMs, 50)) || null, p95: Math.round(percentile(joinMs, 95)) || null },
        simulcastLayersSent: layers.length ? layers[Math.floor(layers.length / 2)] : null,
        peerConnections: gen1.peerConnections,
        // the machine is shared: the 1-minute load average says how busy it was around the step
        loadAverage: round(os.loadavg()[0]!, 2),
      });
      if (loss.lossPct > args.maxLoss) {
        stoppedBy = `loss ${loss.lossPct}% > ${args.maxLoss}% at ${n} participants`;
        break;
      }
    }
  } finally {
    await hosts.close();
    first?.close();
    await server.stop();
  }
  return { steps: figures, stoppedBy };
}

async function main(): Promise<void> {
  await prepareMediasoup();
  const all: StepFigures[] = [];
  const stopped: Record<string, string> = {};
  for (const workers of workerCounts) {
    const result = await ramp(workers);
    all.push(...result.steps);
    stopped[String(workers)] = result.stoppedBy;
  }
  printJson({
    bench: 'call',
    summary: true,
    maxLossPct: args.maxLoss,
    onScreen: args.onScreen,
    ...summarize(all, args.maxLoss),
    stoppedBy: stopped,
    mediasoupDocumentedPerWorker: MEDIASOUP_DOCUMENTED_PER_WORKER,
    rawWorkerSrtpPerWorker: RAW_WORKER_SRTP_PER_WORKER,
  });
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
