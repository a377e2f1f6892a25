/**
 * A minimal DevTools-protocol client for a server started with `--inspect=127.0.0.1:0`: forces a
 * full garbage collection and reads process.memoryUsage(), so memory figures do not depend on when
 * the collector last ran.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import WebSocket from 'ws';

export interface Inspector {
  /** Full GC, then the process's memoryUsage() in MB. */
  collectAndMeasure(): Promise<{ rssMb: number; heapUsedMb: number; heapTotalMb: number; externalMb: number }>;
  close(): void;
}

/** The inspector URL the server printed on stderr (into its log under dataDir). */
async function inspectorUrl(dataDir: string): Promise<string> {
  for (let i = 0; i < 100; i++) {
    for (const file of readdirSync(dataDir).filter((f) => /^server-\d+\.log$/.test(f))) {
      const found = /Debugger listening on (ws:\/\/\S+)/.exec(readFileSync(path.join(dataDir, file), 'utf8'));
      if (found) return found[1];
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the server printed no inspector URL');
}

export async function connectInspector(dataDir: string): Promise<Inspector> {
  const ws = new WebSocket(await inspectorUrl(dataDir), { perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  let nextId = 1;
  const pending = new Map<number, (result: any) => void>();
  ws.on('message', (data) => {
    const reply = JSON.parse(String(data)) as { id?: number; result?: unknown };
    if (reply.id !== undefined) pending.get(reply.id)?.(reply.result);
    if (reply.id !== undefined) pending.delete(reply.id);
  });
  const send = (method: string, params: Record<string, unknown> = {}) =>
    new Promise<any>((resolve) => {
      const id = nextId++;
      pending.set(id, resolve);
      ws.send(JSON.stringify({ id, method, params }));
    });
  return {
    async collectAndMeasure() {
      await send('HeapProfiler.collectGarbage');
      await send('HeapProfiler.collectGarbage');
      const answer = await send('Runtime.evaluate', { expression: 'JSON.stringify(process.memoryUsage())', returnByValue: true });
      const m = JSON.parse(answer.result.value) as Record<string, number>;
      const mb = (n: number) => Number((n / 1048576).toFixed(1));
      return { rssMb: mb(m.rss), heapUsedMb: mb(m.heapUsed), heapTotalMb: mb(m.heapTotal), externalMb: mb(m.external) };
    },
    close: () => ws.close(),
  };
}
