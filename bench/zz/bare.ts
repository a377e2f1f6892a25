// ad-hoc: bare Socket.IO server memory per idle socket
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { Server } from 'socket.io';
import { io } from 'socket.io-client';
import { fork } from 'node:child_process';
const N = Number(process.argv[2] ?? 2000);
const rss = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
if (process.argv[3] === 'server') {
  const http = createServer();
  const srv = new Server(http, { maxHttpBufferSize: 64 * 1024, pingInterval: 20000, pingTimeout: 20000, cors: { origin: true, credentials: true } });
  srv.on('connection', (s) => { s.join(['a' + s.id, 'room' + (Math.random() * 10 | 0)]); });
  http.listen(0, '127.0.0.1', () => process.send!((http.address() as any).port));
  process.on('message', () => { (globalThis as any).gc?.(); const m = process.memoryUsage(); process.send!({ mem: Object.fromEntries(Object.entries(m).map(([k, v]) => [k, (v / 1048576).toFixed(1)])) }); });
} else {
  const child = fork(new URL(import.meta.url).pathname, [String(N), 'server'], { execArgv: ['--import', 'tsx', ...(process.env.SRV_ARGS ? process.env.SRV_ARGS.split(' ') : [])] });
  const port = await new Promise<number>((r) => child.once('message', (m) => r(m as number)));
  const url = `http://127.0.0.1:${port}`;
  const first = await Promise.all(Array.from({ length: 10 }, () => new Promise((r) => { const s = io(url, { transports: ['websocket'], forceNew: true, reconnection: false }); s.once('connect', () => r(s)); })));
  await new Promise((r) => setTimeout(r, 1000));
  const mem = () => new Promise((r) => { child.once('message', (m: any) => r(m.mem)); child.send('m'); });
  console.log('base', JSON.stringify(await mem()));
  const base = rss(child.pid!);
  const socks: any[] = [];
  while (socks.length < N) {
    const batch = await Promise.all(Array.from({ length: 200 }, () => new Promise((r) => { const s = io(url, { transports: ['websocket'], forceNew: true, reconnection: false }); s.once('connect', () => r(s)); })));
    socks.push(...batch);
  }
  await new Promise((r) => setTimeout(r, 1500));
  console.log('after', JSON.stringify(await mem()));
  const now = rss(child.pid!);
  console.log(JSON.stringify({ bare: true, N, baseMb: base.toFixed(1), rssMb: now.toFixed(1), perConnKb: (((now - base) * 1024) / N).toFixed(1) }));
  child.kill(); process.exit(0);
}
