import cluster, { type Worker } from 'node:cluster';
import type { Socket } from 'node:net';
import type { Logger } from '../logger';
import { HANDED_OVER } from './handOverConfirmations';
import { answerAndClose } from './rawAnswer';

export interface ConnectionBalancerOptions {
  /** A connection must have sent its complete request head this long after it opened (ms). */
  headersTimeoutMs: number;
  /** How long a connection waits for a ready worker before it is answered 503 (ms). */
  holdMs: number;
  /** Largest request head read before 431 (bytes; Node's own default limit is 16 KiB). */
  maxHeaderBytes: number;
  logger: Logger;
}

interface Held {
  socket: Socket;
  head: Buffer;
  sid: string | undefined;
  timer: NodeJS.Timeout;
}

/**
 * A long-polling request may overtake its own session's announcement: the worker answers the
 * handshake over the network and tells this process of the session over IPC, and the client's next
 * request (on a new connection) can arrive first. Such a request waits this long for the
 * announcement before it goes to any worker (which then answers an unknown session as such).
 */
const UNKNOWN_SID_WAIT_MS = 1000;

/** The Socket.IO session id in the request line of a long-polling request. */
const sidPattern = /[?&]sid=([\w-]{20})/;
const headEnd = Buffer.from('\r\n\r\n');

/**
 * The primary's side of the node's port (replaces @socket.io/sticky's setupMaster, whose worker side
 * still receives the connections). Each connection's request head is read here, within a bounded
 * time and size (the workers' own HTTP timeouts never see this phase), then the connection goes to a
 * worker that said it is ready: the one owning the request's Socket.IO session id (long-polling is
 * sticky), else the one with the fewest Socket.IO connections. While no worker is ready (the node
 * starts, or every worker is being replaced) a connection waits up to `holdMs`, then gets 503 with
 * Retry-After: never a connection handed to a process that would leave it unanswered.
 */
export class ConnectionBalancer {
  private readonly ready: Worker[] = [];
  private readonly clients = new Map<Worker, number>();
  private readonly sessions = new Map<string, Worker>();
  private readonly held = new Set<Held>();
  /** Requests for a session no worker has announced yet (UNKNOWN_SID_WAIT_MS). */
  private readonly awaitingSession = new Set<Held>();
  /** Connections sent to each worker and not yet confirmed received (handOverConfirmations.ts). */
  private readonly unconfirmed = new Map<Worker, Map<number, Socket>>();
  private nextId = 0;
  private nextTie = 0;
  private closed = false;

  constructor(private readonly options: ConnectionBalancerOptions) {
    // What @socket.io/sticky's setupWorker reports: engine.io sessions opening and closing.
    cluster.on('message', (worker: Worker, msg: { type?: string; data?: unknown; id?: number }) => {
      if (msg?.type === HANDED_OVER && typeof msg.id === 'number') {
        const socket = this.unconfirmed.get(worker)?.get(msg.id);
        this.unconfirmed.get(worker)?.delete(msg.id);
        // Only this process's descriptor closes; the worker's copy keeps the connection.
        socket?.destroy();
        return;
      }
      if (typeof msg?.data !== 'string') return;
      if (msg.type === 'sticky:connection') {
        this.sessions.set(msg.data, worker);
        this.clients.set(worker, (this.clients.get(worker) ?? 0) + 1);
        for (const entry of [...this.awaitingSession]) if (entry.sid === msg.data) this.stopAwaiting(entry);
      } else if (msg.type === 'sticky:disconnection') {
        this.sessions.delete(msg.data);
        this.clients.set(worker, Math.max(0, (this.clients.get(worker) ?? 0) - 1));
      }
    });
  }

  /** The worker serves from now on (it has attached its connection handler); held connections go to it. */
  workerReady(worker: Worker): void {
    if (this.ready.includes(worker)) return;
    this.ready.push(worker);
    for (const entry of [...this.held]) {
      this.held.delete(entry);
      clearTimeout(entry.timer);
      this.handOver(this.pick(entry.sid)!, entry.socket, entry.head);
    }
  }

  /** The worker died or is stopping: nothing more is handed to it, its sessions are forgotten. */
  workerGone(worker: Worker): void {
    const i = this.ready.indexOf(worker);
    if (i >= 0) this.ready.splice(i, 1);
    this.clients.delete(worker);
    for (const [sid, owner] of this.sessions) if (owner === worker) this.sessions.delete(sid);
    // Sent to the worker as it died, never received there: nobody else would ever answer them.
    const lost = this.unconfirmed.get(worker);
    this.unconfirmed.delete(worker);
    for (const socket of lost?.values() ?? []) answerUnavailable(socket);
  }

  /** Stops handing over: connections still waiting for a worker are answered 503. */
  close(): void {
    this.closed = true;
    for (const entry of [...this.held]) this.refuse(entry);
    for (const entry of [...this.awaitingSession]) this.stopAwaiting(entry);
  }

  /** The `connection` handler of the primary's server. */
  accept(socket: Socket): void {
    const { headersTimeoutMs, maxHeaderBytes } = this.options;
    // A reset connection must not take the primary down.
    socket.on('error', () => socket.destroy());
    let head: Buffer = Buffer.alloc(0);
    const timer = setTimeout(() => {
      stop();
      answerAndClose(socket, 408, 'Request Timeout');
    }, headersTimeoutMs);
    const onData = (chunk: Buffer) => {
      const searchFrom = Math.max(0, head.length - headEnd.length + 1);
      head = head.length === 0 ? chunk : Buffer.concat([head, chunk]);
      const end = head.indexOf(headEnd, searchFrom);
      if (end < 0) {
        if (head.length > maxHeaderBytes) {
          stop();
          answerAndClose(socket, 431, 'Request Header Fields Too Large');
        }
        return;
      }
      stop();
      head = stopReading(socket, head);
      const requestLine = head.subarray(0, Math.min(end, head.indexOf('\r\n'))).toString('latin1');
      this.route(socket, head, sidPattern.exec(requestLine)?.[1]);
    };
    const onGone = () => {
      stop();
      socket.destroy();
    };
    const stop = () => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('end', onGone);
    };
    socket.on('data', onData);
    socket.once('end', onGone);
  }

  private route(socket: Socket, head: Buffer, sid: string | undefined): void {
    // with one worker there is nowhere else the session could be
    if (sid && !this.sessions.has(sid) && this.ready.length > 1 && !this.closed) {
      const entry: Held = { socket, head, sid, timer: setTimeout(() => this.stopAwaiting(entry), UNKNOWN_SID_WAIT_MS) };
      this.awaitingSession.add(entry);
      return;
    }
    this.routeNow(socket, head, sid);
  }

  private routeNow(socket: Socket, head: Buffer, sid: string | undefined): void {
    const worker = this.pick(sid);
    if (worker && !this.closed) {
      this.handOver(worker, socket, head);
      return;
    }
    const entry: Held = { socket, head, sid, timer: setTimeout(() => this.refuse(entry), this.closed ? 0 : this.options.holdMs) };
    this.held.add(entry);
  }

  private pick(sid: string | undefined): Worker | undefined {
    const owner = sid ? this.sessions.get(sid) : undefined;
    if (owner && this.ready.includes(owner)) return owner;
    if (this.ready.length === 0) return undefined;
    // Least Socket.IO connections; ties taken in turn, so plain HTTP requests spread too.
    const least = Math.min(...this.ready.map((w) => this.clients.get(w) ?? 0));
    const candidates = this.ready.filter((w) => (this.clients.get(w) ?? 0) === least);
    return candidates[this.nextTie++ % candidates.length];
  }

  /**
   * Sends the connection with its head to the worker. This process keeps its own descriptor
   * (keepOpen) until the worker confirms it received the connection: a worker killed with the
   * connection in flight never receives it, and the connection is then answered 503 here instead of
   * staying open with nobody serving it.
   */
  private handOver(worker: Worker, socket: Socket, head: Buffer): void {
    if (socket.destroyed) return;
    const id = ++this.nextId;
    let pending = this.unconfirmed.get(worker);
    if (!pending) this.unconfirmed.set(worker, (pending = new Map()));
    pending.set(id, socket);
    // The message @socket.io/sticky's setupWorker expects (the worker replays `data` into its HTTP server), plus an id to confirm.
    worker.send({ type: 'sticky:connection', data: head, id }, socket, { keepOpen: true }, (err: Error | null) => {
      if (!err || !pending.delete(id)) return;
      this.options.logger.warn({ err, worker: worker.process.pid }, 'handing a connection to a worker failed');
      answerUnavailable(socket);
    });
  }

  /** The session was announced, or the wait is over: the request goes on as any other. */
  private stopAwaiting(entry: Held): void {
    if (!this.awaitingSession.delete(entry)) return;
    clearTimeout(entry.timer);
    this.routeNow(entry.socket, entry.head, entry.sid);
  }

  private refuse(entry: Held): void {
    if (!this.held.delete(entry)) return;
    clearTimeout(entry.timer);
    answerUnavailable(entry.socket);
  }
}

function answerUnavailable(socket: Socket): void {
  answerAndClose(socket, 503, 'Service Unavailable', { 'Retry-After': '1' }, {
    error: { code: 'unavailable', message: 'the node is starting or restarting a worker; retry shortly', retryable: true },
  });
}

/**
 * Stops reading a socket that is about to be handed to a worker and returns its head plus anything
 * still buffered. Whatever this process read after the hand-over would be lost to the worker
 * (nodejs/node#8353: a client that sends right after its request, a WebSocket client's Socket.IO
 * CONNECT frame or an upload's body, would lose those bytes). Stopped here, they wait in the kernel
 * for the worker.
 */
function stopReading(socket: Socket, head: Buffer): Buffer {
  socket.pause();
  const buffered: Buffer[] = [];
  for (let chunk: Buffer | null; (chunk = socket.read() as Buffer | null) !== null; ) buffered.push(chunk);
  // net.Socket's handle is internal (not in its types).
  const handle: { reading?: boolean; readStop?(): number } | null | undefined = Reflect.get(socket, '_handle');
  if (handle?.readStop) {
    handle.readStop();
    // What net.Socket's own pause does for its handle: a later resume() starts reading again.
    handle.reading = false;
  }
  return buffered.length ? Buffer.concat([head, ...buffered]) : head;
}
