import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export interface HttpTimeouts {
  headersTimeoutMs: number;
  idleTimeoutMs: number;
}

/**
 * Bounds slow clients on a serving process's HTTP server (standalone, or a cluster worker, whose
 * connections arrive from the primary with their request head already read):
 * - the request head must arrive within `headersTimeoutMs` (Node answers 408); Node checks this
 *   only on a server that listens itself, every `connectionsCheckingInterval`, so that is made short;
 * - no limit on a whole request (Node's 5-minute requestTimeout would cut long uploads): instead a
 *   connection idle for `idleTimeoutMs` is closed while its request is incomplete or it has none,
 *   never while a complete request waits for its answer (a long-poll) and never once upgraded to
 *   WebSocket (the upgrade takes the socket away from the HTTP server, and ws clears its timeout).
 */
export function applyHttpTimeouts(server: Server, { headersTimeoutMs, idleTimeoutMs }: HttpTimeouts): void {
  server.headersTimeout = headersTimeoutMs;
  server.requestTimeout = 0;
  // Read when the server starts listening (missing from @types/node 20's Server).
  (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = Math.min(1000, headersTimeoutMs);
  server.timeout = idleTimeoutMs;
  const pending = new WeakMap<Socket, { req: IncomingMessage; res: ServerResponse }>();
  server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    const { socket } = req;
    pending.set(socket, { req, res });
    res.once('finish', () => {
      if (pending.get(socket)?.res === res) pending.delete(socket);
    });
  });
  // With a listener here, Node leaves the decision to it instead of destroying every idle socket.
  server.on('timeout', (socket: Socket) => {
    const current = pending.get(socket);
    const awaitingAnswer = current && current.req.complete && !current.res.writableFinished;
    if (!awaitingAnswer) socket.destroy();
  });
}
