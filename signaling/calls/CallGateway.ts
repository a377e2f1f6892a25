import type { ZodType } from 'zod';
import { ApiError } from '../http/ApiError';
import type { AppContext } from '../node/AppContext';
import {
  CallRefPayload,
  CallStartPayload,
  ConsumePayload,
  ConsumerLayersPayload,
  ConsumerRefPayload,
  ProducePayload,
  ProducerRefPayload,
  TransportConnectPayload,
  TransportCreatePayload,
  TransportRefPayload,
  type CallInfo,
} from '../protocol/calls';
import type { ClientToServerEvents } from '../protocol/events';
import { isErrorBody, type ErrorCode } from '../protocol/errors';
import { guarded, parsePayload } from '../socket/ackError';
import { ackError } from '../errors/errorAnswer';
import type { ChatSocket } from '../socket/ChatSocket';
import { requesterOf } from '../socket/requester';
import type { ChatServer } from '../socket/Fanout';
import { callNotFound, type CallService } from './CallService';
import { ownerOps, type CallDebugInfo, type CallOp, type CallRequester, type CallRpcAnswer, type CallRpcRequest } from './CallTypes';

/** Client events answered by the call's owner, and the schema each payload must match. */
const ownerEvents: Partial<Record<keyof ClientToServerEvents, { op: CallOp; schema: ZodType<{ callid: string }> }>> = {
  'call:join': { op: 'join', schema: CallRefPayload },
  'call:decline': { op: 'decline', schema: CallRefPayload },
  'call:leave': { op: 'leave', schema: CallRefPayload },
  'call:transport:create': { op: 'transport:create', schema: TransportCreatePayload },
  'call:transport:connect': { op: 'transport:connect', schema: TransportConnectPayload },
  'call:transport:restartIce': { op: 'transport:restartIce', schema: TransportRefPayload },
  'call:produce': { op: 'produce', schema: ProducePayload },
  'call:producer:pause': { op: 'producer:pause', schema: ProducerRefPayload },
  'call:producer:resume': { op: 'producer:resume', schema: ProducerRefPayload },
  'call:producer:close': { op: 'producer:close', schema: ProducerRefPayload },
  'call:consume': { op: 'consume', schema: ConsumePayload },
  'call:consumer:resume': { op: 'consumer:resume', schema: ConsumerRefPayload },
  'call:consumer:setLayers': { op: 'consumer:setLayers', schema: ConsumerLayersPayload },
};

type ServerSide = {
  on(event: 'call:rpc', listener: (req: CallRpcRequest, ack: (answer: CallRpcAnswer) => void) => void): void;
  on(event: 'call:gone', listener: (socketId: string) => void): void;
};
type ServerSideEmit = {
  serverSideEmit(event: 'call:rpc', req: CallRpcRequest, ack: (err: Error | null, answers: CallRpcAnswer[]) => void): boolean;
  serverSideEmit(event: 'call:gone', socketId: string): boolean;
};

/**
 * Where call requests enter: validates every payload at the edge, answers requests for calls this
 * process owns, and forwards the others to the owner over the adapter (`serverSideEmit('call:rpc')`,
 * which every process answers: the owner with its result, the rest with null). A call starts on
 * the process that received `call:start`, which becomes its owner.
 */
export class CallGateway {
  /** Sockets of this process that joined a call, so their disconnect is announced. */
  private readonly inCalls = new Set<string>();
  private readonly debug = process.env.COOKIM_CALL_DEBUG === '1';

  constructor(
    private readonly ctx: AppContext,
    private readonly io: ChatServer,
    private readonly service: CallService,
  ) {
    const nsp = io.of('/') as unknown as ServerSide;
    nsp.on('call:rpc', (req, ack) => {
      void this.answerRpc(req).then(ack, () => ack(null));
    });
    nsp.on('call:gone', (socketId) => service.socketGone(socketId));
    service.findElsewhere = async (callid, requester) => {
      const answer = await this.forward({ op: 'info', callid, payload: { callid }, requester });
      return answer && 'result' in answer ? (answer.result as CallInfo) : null;
    };
  }

  attach(socket: ChatSocket): void {
    const logError = (err: unknown) => this.ctx.logger.error({ err }, 'call request failed');
    socket.on(
      'call:start',
      guarded((raw) => this.service.start(requesterOf(socket), parsePayload(CallStartPayload, raw)), logError),
    );
    socket.on(
      'call:list',
      guarded(async () => ({ calls: await this.list(requesterOf(socket)) }), logError),
    );
    for (const [event, spec] of Object.entries(ownerEvents)) {
      (socket as unknown as { on(e: string, l: (p: unknown, a?: unknown) => void): void }).on(
        event,
        guarded((raw) => this.route(socket, spec.op, parsePayload(spec.schema, raw)), logError),
      );
    }
    if (this.debug) {
      (socket as unknown as { on(e: string, l: (p: unknown, a?: unknown) => void): void }).on(
        'call:debug',
        guarded(async () => ({ processes: await this.debugAll(requesterOf(socket)) }), logError),
      );
    }
    socket.on('disconnect', () => {
      if (!this.inCalls.delete(socket.id)) return;
      this.service.socketGone(socket.id);
      void this.hasPeers().then((yes) => yes && (this.io as unknown as ServerSideEmit).serverSideEmit('call:gone', socket.id));
    });
  }

  private async route(socket: ChatSocket, op: CallOp, payload: { callid: string }): Promise<unknown> {
    const requester = requesterOf(socket);
    if (op === 'join') this.inCalls.add(socket.id);
    const local = await this.service.handle(op, payload, requester);
    if (local) return local.result;
    const answer = await this.forward({ op, callid: payload.callid, payload, requester });
    if (!answer) throw callNotFound();
    if (isErrorBody(answer)) throw new ApiError(400, answer.error.code as ErrorCode, answer.error.message, answer.error.retryable ?? false);
    return answer.result;
  }

  /** The owner's answer, or null when no process owns the call. */
  private async forward(req: CallRpcRequest): Promise<CallRpcAnswer> {
    const answers = await this.ask(req);
    return answers.find((a) => a !== null && a !== undefined) ?? null;
  }

  private async ask(req: CallRpcRequest): Promise<CallRpcAnswer[]> {
    if (!(await this.hasPeers())) return [];
    return new Promise((resolve) => {
      try {
        (this.io as unknown as ServerSideEmit).serverSideEmit('call:rpc', req, (_err, answers) => resolve(answers ?? []));
      } catch {
        resolve([]);
      }
    });
  }

  private async hasPeers(): Promise<boolean> {
    const adapter = this.io.of('/').adapter as { serverCount?: () => Promise<number> };
    return typeof adapter.serverCount === 'function' && (await adapter.serverCount()) > 1;
  }

  private async answerRpc(req: CallRpcRequest): Promise<CallRpcAnswer> {
    if (ownerOps.has(req.op) && (!req.callid || !this.service.owns(req.callid))) return null;
    try {
      return await this.service.handle(req.op, req.payload, req.requester);
    } catch (err) {
      return ackError(err);
    }
  }

  private async list(requester: CallRequester): Promise<CallInfo[]> {
    const local = ((await this.service.handle('list', {}, requester))?.result ?? []) as CallInfo[];
    const remote = await this.ask({ op: 'list', payload: {}, requester });
    return [...local, ...remote.flatMap((a) => (a && 'result' in a ? (a.result as CallInfo[]) : []))];
  }

  private async debugAll(requester: CallRequester): Promise<CallDebugInfo[]> {
    const local = (await this.service.handle('debug', {}, requester))?.result as CallDebugInfo;
    const remote = await this.ask({ op: 'debug', payload: {}, requester });
    return [local, ...remote.flatMap((a) => (a && 'result' in a ? [a.result as CallDebugInfo] : []))];
  }
}
