/** The baseline: a bare Socket.IO broadcast server (no auth, no storage), one process. Prints its port. */
import { createServer } from 'node:http';
import { Server } from 'socket.io';

const http = createServer();
const io = new Server(http, { maxHttpBufferSize: 64 * 1024 });
io.on('connection', (socket) => {
  const room = String(socket.handshake.auth?.room ?? 'lobby');
  socket.join(room);
  socket.on('message:send', (payload: { msg: string }, ack?: (r: unknown) => void) => {
    io.to(room).emit('message', { msg: payload.msg, time: Date.now() });
    ack?.({ ok: true });
  });
});
http.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: (http.address() as { port: number }).port })}\n`);
});
process.on('SIGTERM', () => process.exit(0));
