import { attachListeners, tableListeners, type TableListeners } from '../socket/eventTable';
import type { ChatSocket } from '../socket/ChatSocket';
import type { CallDebug } from './callDebug';
import type { CallDeps } from './CallDeps';
import { callEvents } from './callEvents';
import type { CallLegs } from './CallLegs';
import type { CallLifecycle } from './CallLifecycle';
import type { CallOwnerOps } from './CallOwnerOps';
import type { CallRouter } from './CallRouter';
import type { CallStarter } from './CallStarter';

/**
 * Where call requests enter: runs the calls' event table (every payload validated at the edge),
 * answers what the other processes ask of the calls this one owns, and announces the sockets that
 * had joined a call when they go away.
 */
export class CallGateway {
  /** Sockets of this process that joined a call, so their disconnect is announced. */
  private readonly inCalls = new Set<string>();
  /** Shared by every socket (see sharedListener). */
  private readonly listeners: TableListeners;

  constructor(
    private readonly deps: CallDeps,
    ops: CallOwnerOps,
    router: CallRouter,
    starter: CallStarter,
    private readonly lifecycle: CallLifecycle,
    private readonly legs: CallLegs,
    private readonly debug: CallDebug | null,
  ) {
    const logError = (err: unknown) => deps.logger.error({ err }, 'call request failed');
    this.listeners = tableListeners(
      callEvents(ops, router, starter, (socket) => this.inCalls.add(socket.id)),
      logError,
    );
    const nsp = deps.io.of('/');
    nsp.on('call:op', (req, ack) => {
      void router.answer(req).then(ack, () => ack(null));
    });
    nsp.on('call:find', (callid, requester, ack) => ack(router.find(callid, requester)));
    nsp.on('call:list', (requester, ack) => ack(router.listOwned(requester)));
    nsp.on('call:gone', (socketId) => lifecycle.socketGone(socketId));
  }

  attach(socket: ChatSocket): void {
    attachListeners(socket, this.listeners);
    this.debug?.attach(socket);
    socket.on('disconnect', () => {
      if (!this.inCalls.delete(socket.id)) return;
      this.lifecycle.socketGone(socket.id);
      this.legs.socketGone(socket.id);
      void this.deps.peers.callGone(socket.id).catch(() => undefined);
    });
  }
}
