import net from 'node:net';
import { WireCodec } from './WireCodec';
import { WireMessageFramer } from './WireMessageFramer';

/** True when a server on 127.0.0.1:port answers `{ ping: 1 }` with ok:1 within timeoutMs. */
export function pingDevMongo(port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const framer = new WireMessageFramer();
    let settled = false;
    const finish = (ok: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.on('error', () => finish(false));
    socket.on('close', () => finish(false));
    socket.on('connect', () => socket.write(WireCodec.encodeRequest({ ping: 1, $db: 'admin' })));
    socket.on('data', (chunk: Buffer) => {
      try {
        const [frame] = framer.push(chunk);
        if (frame) finish(WireCodec.decodeMsgBody(frame).ok === 1);
      } catch {
        finish(false);
      }
    });
  });
}
