import { ackError } from '../errors/errorAnswer';
import { RemoteError } from '../errors/RemoteError';
import { isErrorBody } from '../protocol/errors';
import type { LiveRefPayload, LiveRtcConnectPayload, LiveRtcConsumePayload, LiveRtcConsumer, LiveRtcWatchResult } from '../protocol/live';
import type { ChatSocket } from '../socket/ChatSocket';
import { requesterOf } from '../socket/requester';
import type { Requester } from '../socket/requesterTypes';
import type { LiveDeps } from './LiveDeps';
import type { LiveRtcViewers } from './LiveRtcViewers';
import { WebrtcUnavailableError } from './liveRtcErrors';
import { LIVE_RTC_OP_SCHEMAS, type LiveRtcOp, type LiveRtcOpAnswer, type LiveRtcOpRequest } from './LiveRtcRouterTypes';

/** How often the viewers served here for sockets on other processes are checked for being gone. */
const REMOTE_SWEEP_MS = 15_000;

const ok = { ok: true } as const;

/**
 * Real-time viewing from any process: a request for a stream this process runs is served here
 * (LiveRtcViewers); any other is forwarded to the process that runs it, which makes the viewer's
 * transport on its own media worker (the browser connects to that worker's WebRtcServer). A socket
 * that leaves is told to that process; viewers whose process died are swept there.
 */
export class LiveRtcRouter {
  /** Sockets on this process with real-time viewing served by another. */
  private readonly forwarded = new Set<string>();
  private readonly sweepTimer: NodeJS.Timeout;

  constructor(
    private readonly deps: LiveDeps,
    private readonly viewers: LiveRtcViewers,
  ) {
    const nsp = deps.io.of('/');
    nsp.on('live:rtcOp', (req, ack) => void this.answer(req).then(ack, () => ack(null)));
    nsp.on('live:rtcGone', (socketId) => {
      if (typeof socketId === 'string') viewers.socketGone(socketId);
    });
    this.sweepTimer = setInterval(() => void this.sweepRemote().catch((err) => deps.logger.warn({ err }, 'sweeping real-time viewers failed')), REMOTE_SWEEP_MS).unref();
  }

  watch(socket: ChatSocket, payload: LiveRefPayload): Promise<LiveRtcWatchResult> {
    return this.route('watch', payload, requesterOf(socket)) as Promise<LiveRtcWatchResult>;
  }

  connect(socket: ChatSocket, payload: LiveRtcConnectPayload): Promise<typeof ok> {
    return this.route('connect', payload, requesterOf(socket)) as Promise<typeof ok>;
  }

  consume(socket: ChatSocket, payload: LiveRtcConsumePayload): Promise<{ consumers: LiveRtcConsumer[] }> {
    return this.route('consume', payload, requesterOf(socket)) as Promise<{ consumers: LiveRtcConsumer[] }>;
  }

  resume(socket: ChatSocket, payload: LiveRefPayload): Promise<typeof ok> {
    return this.route('resume', payload, requesterOf(socket)) as Promise<typeof ok>;
  }

  unwatch(socket: ChatSocket, payload: LiveRefPayload): Promise<typeof ok> {
    return this.route('unwatch', payload, requesterOf(socket)) as Promise<typeof ok>;
  }

  attach(socket: ChatSocket): void {
    socket.on('disconnect', () => {
      this.viewers.socketGone(socket.id);
      if (this.forwarded.delete(socket.id)) void this.deps.peers.liveRtcGone(socket.id).catch(() => undefined);
    });
  }

  close(): void {
    clearInterval(this.sweepTimer);
  }

  private async route(op: LiveRtcOp, payload: { streamid: string }, requester: Requester): Promise<unknown> {
    if (this.viewers.runs(payload.streamid)) return this.here(op, payload, requester);
    // refusals that do not depend on where the stream runs come first (not a member, real time off)
    if (op === 'watch') await this.viewers.allowed(requester, payload.streamid);
    const answer = await this.deps.peers.liveRtcOp({ op, payload, requester });
    if (!answer) {
      if (op === 'unwatch') return ok;
      throw new WebrtcUnavailableError(
        op === 'watch' ? 'the stream is not sending right now; watch it over HLS' : 'not watching this stream in real time (ask live:watchRtc first)',
      );
    }
    if (isErrorBody(answer)) throw new RemoteError(answer);
    if (op === 'watch') this.forwarded.add(requester.socketId);
    // The process running the stream ran this operation (its answer crossed the adapter untyped).
    return answer.result;
  }

  /** Another process forwards a request: answered when the stream runs here, else null. */
  private async answer(req: LiveRtcOpRequest): Promise<LiveRtcOpAnswer> {
    const schema = LIVE_RTC_OP_SCHEMAS[req?.op];
    const parsed = schema?.safeParse(req.payload);
    // The process that forwarded it validated the payload already: one this process cannot read is not for it.
    if (!parsed?.success || !this.viewers.runs(parsed.data.streamid)) return null;
    try {
      return { result: await this.here(req.op, parsed.data, req.requester) };
    } catch (err) {
      return ackError(err);
    }
  }

  private here(op: LiveRtcOp, payload: { streamid: string }, requester: Requester): Promise<unknown> {
    switch (op) {
      case 'watch':
        return this.viewers.watch(requester, payload.streamid);
      case 'connect':
        return this.viewers.connect(requester, payload as LiveRtcConnectPayload);
      case 'consume':
        return this.viewers.consume(requester, payload as LiveRtcConsumePayload);
      case 'resume':
        return this.viewers.resume(requester, payload.streamid);
      case 'unwatch':
        return this.viewers.unwatch(requester, payload.streamid);
    }
  }

  /** Viewers served here whose socket is on another process: gone when no process holds it any more. */
  private async sweepRemote(): Promise<void> {
    const local = this.deps.io.of('/').sockets;
    const remote = [...this.viewers.socketIds()].filter((id) => !local.has(id));
    if (!remote.length) return;
    const alive = new Set((await this.deps.io.in(remote).fetchSockets()).map((s) => s.id));
    for (const id of remote) if (!alive.has(id)) this.viewers.socketGone(id);
  }
}
