import type { Logger } from 'pino';
import type { CallDebugInfo, CallRequester } from '../calls/CallTypes';
import type { CallInfo } from '../protocol/calls';
import type { ChatServer } from '../socket/Fanout';
import type { PipeOffer } from '../../media';
import type { CallAudioChoice, CallLegNotice, CallLegUpdate, CallPipeRequest } from '../calls/CallLegTypes';
import type { LiveRtcOpAnswer, LiveRtcOpRequest } from '../live/LiveRtcRouterTypes';
import type { CallOpAnswer, CallOpRequest } from './ServerSideEvents';

/**
 * How long a question to the other processes waits at most. The adapters time out first (after
 * 5 s) with the answers they received, which are kept; this bounds a question they never settle.
 */
const ASK_TIMEOUT_MS = 7_000;

/**
 * The other processes of every node, asked through the adapter (ServerSideEvents). A process alone
 * (the in-memory adapter, which cannot emit server-side) has no peers: every question answers
 * nothing. An answer missing at the timeout is left out; the ones received are kept.
 */
export class ClusterPeers {
  constructor(
    private readonly io: ChatServer,
    private readonly logger: Logger,
    private readonly timeoutMs = ASK_TIMEOUT_MS,
  ) {}

  /** The call's owner's answer to a forwarded request, or null when no other process owns it. */
  async callOp(req: CallOpRequest): Promise<CallOpAnswer> {
    const answers = await this.ask('call:op', () => this.io.serverSideEmitWithAck('call:op', req));
    return answers.find((a) => a !== null && a !== undefined) ?? null;
  }

  /** The call of that id from its owner elsewhere (one call per conversation), or null. */
  async findCall(callid: string, requester: CallRequester): Promise<CallInfo | null> {
    const answers = await this.ask('call:find', () => this.io.serverSideEmitWithAck('call:find', callid, requester));
    return answers.find((a) => a !== null && a !== undefined) ?? null;
  }

  /** The calls the other processes own in the requester's conversations. */
  async listCalls(requester: CallRequester): Promise<CallInfo[]> {
    return (await this.ask('call:list', () => this.io.serverSideEmitWithAck('call:list', requester))).flat();
  }

  /** Tests only (COOKIM_CALL_DEBUG=1): every other process's call debug view. */
  debugCalls(): Promise<CallDebugInfo[]> {
    return this.ask('call:debug', () => this.io.serverSideEmitWithAck('call:debug'));
  }

  /** Tells the others a socket that joined a call went away. */
  async callGone(socketId: string): Promise<void> {
    if (await this.hasPeers()) this.io.serverSideEmit('call:gone', socketId);
  }

  /** The offer of the process holding the call's producer (piped to `req.receiver`), or null. */
  async callPipe(req: CallPipeRequest): Promise<PipeOffer | null> {
    const answers = await this.ask('call:pipe', () => this.io.serverSideEmitWithAck('call:pipe', req));
    return answers.find((a) => a !== null && a !== undefined) ?? null;
  }

  /** Tells the other processes a pipe ended here. */
  async callPipeClose(callid: string, pipeId: string): Promise<void> {
    if (await this.hasPeers()) this.io.serverSideEmit('call:pipeClose', callid, pipeId);
  }

  /** The other processes that answer now (their nodeIds; the ones late or gone are missing). */
  async aliveProcesses(): Promise<string[]> {
    return this.ask('call:alive', () => this.io.serverSideEmitWithAck('call:alive'));
  }

  /** Tells the call's owner of a participant's producers held here: true when an owner took it. */
  async callLegNotice(notice: CallLegNotice): Promise<boolean> {
    return (await this.ask('call:legNotice', () => this.io.serverSideEmitWithAck('call:legNotice', notice))).some(Boolean);
  }

  /** The call's owner tells the processes holding participants' media. */
  async callLegUpdate(update: CallLegUpdate): Promise<void> {
    if (await this.hasPeers()) this.io.serverSideEmit('call:legUpdate', update);
  }

  /** The audio choice of the call from its owner elsewhere, or null. */
  async callAudioChoice(callid: string): Promise<CallAudioChoice | null> {
    const answers = await this.ask('call:audioChoice', () => this.io.serverSideEmitWithAck('call:audioChoice', callid));
    return answers.find((a) => a !== null && a !== undefined) ?? null;
  }

  /** The answer of the process running the stream to a real-time viewing request, or null when none does. */
  async liveRtcOp(req: LiveRtcOpRequest): Promise<LiveRtcOpAnswer> {
    const answers = await this.ask('live:rtcOp', () => this.io.serverSideEmitWithAck('live:rtcOp', req));
    return answers.find((a) => a !== null && a !== undefined) ?? null;
  }

  /** Tells the other processes that a socket watching one of their streams in real time went away. */
  async liveRtcGone(socketId: string): Promise<void> {
    if (await this.hasPeers()) this.io.serverSideEmit('live:rtcGone', socketId);
  }

  /** Asks every other process to let go of a stream, and waits for their answers. */
  async releaseStream(streamid: string): Promise<void> {
    await this.ask('live:release', () => this.io.serverSideEmitWithAck('live:release', streamid));
  }

  /** Asks the other processes to end the WHIP stream of that resource: true when one did. */
  async endWhip(resourceId: string): Promise<boolean> {
    return (await this.ask('live:whipEnd', () => this.io.serverSideEmitWithAck('live:whipEnd', resourceId))).some(Boolean);
  }

  private async hasPeers(): Promise<boolean> {
    const adapter: { serverCount?: () => Promise<number> } = this.io.of('/').adapter;
    return typeof adapter.serverCount === 'function' && (await adapter.serverCount()) > 1;
  }

  /** The answers of the other processes: none alone, the ones received by the timeout otherwise. */
  private async ask<T>(event: string, send: () => Promise<T[]>): Promise<T[]> {
    if (!(await this.hasPeers())) return [];
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<T[]>((resolve) => {
      timer = setTimeout(() => {
        this.logger.warn({ event, timeoutMs: this.timeoutMs }, 'other processes did not answer in time');
        resolve([]);
      }, this.timeoutMs);
    });
    try {
      return await Promise.race([send(), timeout]);
    } catch (err) {
      // The adapter's own timeout: some process did not answer; the others' answers come with the error.
      return partialAnswers<T>(err);
    } finally {
      clearTimeout(timer);
    }
  }
}

function partialAnswers<T>(err: unknown): T[] {
  if (typeof err !== 'object' || err === null || !('responses' in err) || !Array.isArray(err.responses)) return [];
  return err.responses;
}
