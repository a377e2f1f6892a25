import type { Socket } from 'node:net';

/**
 * Answers a connection the primary will not hand to a worker with a complete HTTP response and
 * closes it. A WebSocket upgrade request gets the same plain HTTP answer, which clients report as a
 * failed handshake with that status.
 */
export function answerAndClose(socket: Socket, status: number, reason: string, extraHeaders: Record<string, string> = {}, body?: unknown): void {
  if (socket.destroyed) return;
  const text = body === undefined ? '' : JSON.stringify(body);
  const headers = {
    ...(text ? { 'Content-Type': 'application/json; charset=utf-8' } : {}),
    'Content-Length': String(Buffer.byteLength(text)),
    Connection: 'close',
    ...extraHeaders,
  };
  const head = [`HTTP/1.1 ${status} ${reason}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)].join('\r\n');
  socket.on('error', () => socket.destroy());
  socket.end(`${head}\r\n\r\n${text}`);
  // Whatever the client still sends is read and dropped, so closing does not reset the connection
  // before the answer is read; a client that never closes its side loses the socket a little later.
  socket.resume();
  const timer = setTimeout(() => socket.destroy(), 5000);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}
