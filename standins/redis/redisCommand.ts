import net from 'node:net';

/**
 * One Redis command over a fresh loopback connection (RESP), for health checks and the embedded
 * server's supervisor; the product's fan-out uses the `redis` client. Answers the reply as a string
 * (a bulk or simple string, or an integer's text); rejects on an error reply, a timeout or a
 * connection failure.
 */
export function redisCommand(port: number, args: string[], timeoutMs = 1000, host = '127.0.0.1'): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    let buffer = Buffer.alloc(0);
    let settled = false;
    const finish = (err: Error | null, value?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve(value ?? '');
    };
    const timer = setTimeout(() => finish(new Error('redis command timed out')), timeoutMs);
    socket.on('error', (err) => finish(err));
    socket.on('close', () => finish(new Error('redis connection closed')));
    socket.on('connect', () => {
      socket.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`);
    });
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      const lineEnd = buffer.indexOf('\r\n');
      if (lineEnd < 0) return;
      const kind = String.fromCharCode(buffer[0]);
      const line = buffer.subarray(1, lineEnd).toString();
      if (kind === '+' || kind === ':') return finish(null, line);
      if (kind === '-') return finish(new Error(line));
      if (kind === '$') {
        const length = Number(line);
        if (length < 0) return finish(null, '');
        if (buffer.length < lineEnd + 2 + length) return;
        return finish(null, buffer.subarray(lineEnd + 2, lineEnd + 2 + length).toString());
      }
      finish(new Error(`unexpected redis reply ${JSON.stringify(kind)}`));
    });
  });
}

export async function redisPing(port: number, timeoutMs = 1000, host = '127.0.0.1'): Promise<boolean> {
  try {
    return (await redisCommand(port, ['PING'], timeoutMs, host)) === 'PONG';
  } catch {
    return false;
  }
}

/** connected_clients from INFO clients (the asking connection included). */
export async function redisConnectedClients(port: number, timeoutMs = 1000): Promise<number> {
  const info = await redisCommand(port, ['INFO', 'clients'], timeoutMs);
  const match = /connected_clients:(\d+)/.exec(info);
  if (!match) throw new Error('no connected_clients in INFO');
  return Number(match[1]);
}
