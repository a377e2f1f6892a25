/**
 * Calls in tests: servers with calls on, and a participant that drives the web client's own media
 * engine (web/src/lib/callMedia.ts) over @roamhq/wrtc, with synthetic devices, as the call store
 * does in a browser: the same negotiation, fed the same signaling events.
 */
import { after, before } from 'node:test';
import type { JoinResult } from '../../signaling/protocol/calls';
import type { CallDebugInfo } from '../../signaling/calls/CallTypes';
import { CallMedia } from '../../web/src/lib/callMedia';
import { socketRequest } from '../../web/src/lib/socketRequest';
import { request, type TestSocket } from './client';
import { closeAll, flatGray, NODE_HANDLER, prepareMediasoup, SyntheticDevices, watchLifetime } from './media';
import { freshDataDir, startServer, type RunningServer } from './server';

/** A random base for a WebRTC port block (tests may run beside other servers): 20000..39950, a multiple of 50. */
export function randomRtcPort(): number {
  return 20_000 + Math.floor(Math.random() * 400) * 50;
}

/** A server with the debug event on and a WebRTC port block of its own (RTC_PORT in `env` overrides it). */
export function startCallServer(workers = 1, env: Record<string, string> = {}, dataDir?: string): Promise<RunningServer> {
  const rtcPort = randomRtcPort();
  const debug: Record<string, string> = process.env.CALL_TEST_SERVER_DEBUG ? { DEBUG: 'mediasoup*', MEDIASOUP_LOG_LEVEL: 'debug' } : {};
  return startServer({ workers, dataDir, env: { COOKIM_CALL_DEBUG: '1', RTC_PORT: String(rtcPort), CALL_RING_TIMEOUT: '20', ...debug, ...env } });
}

/** A call server for browser tests: the mediasoup worker made ready first, calls ringing long enough for a page. */
export async function startBrowserCallServer(): Promise<RunningServer> {
  await prepareMediasoup();
  return startCallServer(1, { CALL_RING_TIMEOUT: '45' });
}

/**
 * Two nodes (one process each) on one DATA_DIR, so they share the development database, the
 * embedded Redis broker and the data folders; each has its own WebRTC port (and its own fallback
 * range, RTC_PORT+1000..+9999).
 */
export async function startTwoNodes(label: string, env: Record<string, string> = {}): Promise<[RunningServer, RunningServer]> {
  const dataDir = freshDataDir(label);
  const rtcPort = randomRtcPort();
  const node1 = await startCallServer(1, { MEDIA_WORKERS: '1', ...env, RTC_PORT: String(rtcPort) }, dataDir);
  const node2 = await startCallServer(1, { MEDIA_WORKERS: '1', ...env, RTC_PORT: String(rtcPort + 20) }, dataDir);
  return [node1, node2];
}

/** Two nodes for a whole test file, and what its tests open (closed after its tests, before the nodes stop). */
export interface TwoNodes {
  node1: RunningServer | undefined;
  /** Undefined once a test killed it. */
  node2: RunningServer | undefined;
  open: { close(): void }[];
}

/** Starts two nodes before the file's tests (startTwoNodes) and stops them after. */
export function twoNodesForFile(label: string, env: Record<string, string> = {}): TwoNodes {
  const nodes: TwoNodes = { node1: undefined, node2: undefined, open: [] };
  before(
    async () => {
      await prepareMediasoup();
      [nodes.node1, nodes.node2] = await startTwoNodes(label, env);
    },
    { timeout: 15 * 60_000 },
  );
  after(async () => {
    await closeAll(nodes.open);
    await Promise.all([nodes.node1?.stop(), nodes.node2?.stop()]);
  });
  return nodes;
}

export async function debugInfo(socket: TestSocket): Promise<CallDebugInfo[]> {
  return (await request<{ processes: CallDebugInfo[] }>(socket, 'call:debug', {})).processes;
}

/**
 * One participant of a video call: the web's CallMedia with a small synthetic camera and a tone,
 * told about producers and consumers from the socket's call events.
 */
export class CallPeer {
  readonly media: CallMedia;
  private readonly devices = new SyntheticDevices({ width: 160, height: 120, fps: 15, paint: flatGray });
  private opened = false;

  constructor(
    readonly name: string,
    readonly uid: string,
    readonly socket: TestSocket,
  ) {
    this.media = new CallMedia({
      callid: '',
      selfUid: uid,
      request: (event, payload) => socketRequest(socket, event, payload),
      devices: this.devices,
      handlerName: NODE_HANDLER,
      // the tests join again themselves (on call:reconnectMedia), as they check that step
      listener: { remoteAdded() {}, remoteRemoved() {}, localChanged() {}, transportState() {}, failed() {} },
    });
    socket.on('call:producer:new', ({ callid, ...producer }) => {
      if (callid === this.media.callid) void this.media.consume(producer);
    });
    socket.on('call:producer:closed', ({ callid, producerId }) => {
      if (callid === this.media.callid) this.media.producerClosed(producerId);
    });
    socket.on('call:consumer:closed', ({ callid, consumerId }) => {
      if (callid === this.media.callid) this.media.consumerClosed(consumerId);
    });
    watchLifetime(this, name);
  }

  /** Joins (or re-joins after call:reconnectMedia): camera and microphone, both transports, everyone received. */
  async join(callid: string): Promise<JoinResult> {
    if (!this.opened) {
      this.opened = true;
      const problems = await this.media.openLocal('video');
      if (problems.length) throw new Error(`${this.name}: ${JSON.stringify(problems)}`);
    }
    this.media.callid = callid;
    this.media.closeTransports();
    const joined = await request<JoinResult>(this.socket, 'call:join', { callid });
    await this.media.connect(joined);
    return joined;
  }

  /** packetsReceived per `<uid>:<kind>` over this peer's consumers. */
  async received(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const remote of this.media.remoteMedia()) out[`${remote.uid}:${remote.kind}`] = 0;
    const stats = await this.media.stats().catch(() => null);
    for (const [kind, entries] of [['video', stats?.video ?? []], ['audio', stats?.audio ?? []]] as const) {
      for (const entry of entries) if (entry.uid) out[`${entry.uid}:${kind}`] = (out[`${entry.uid}:${kind}`] ?? 0) + entry.packetsReceived;
    }
    return out;
  }

  /** Mute (the engine pauses the microphone's producer and tells the server). */
  async pause(source: 'mic'): Promise<void> {
    if (source === 'mic') await this.media.setMic(false);
  }

  async resume(source: 'mic'): Promise<void> {
    if (source === 'mic') await this.media.setMic(true);
  }

  async leave(): Promise<void> {
    await request(this.socket, 'call:leave', { callid: this.media.callid });
    this.media.closeTransports();
  }

  close(): void {
    this.media.close();
    this.devices.close();
    this.socket.close();
  }
}
