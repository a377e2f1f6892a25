import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { InboundSnapshot } from './callFigures';
import type { PeerHostAsk, PeerHostReply, PeerHostRequest, PeerHostSettings, PeerHostSnapshot } from './peerHostTypes';

type Pending = { resolve: (value: unknown) => void; reject: (err: Error) => void };

/** The bench's peer host processes (bench/lib/peerHost.ts); peers are placed round-robin. */
export class PeerHosts {
  private readonly children: ChildProcess[];
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private placed = 0;

  constructor(count: number, settings: PeerHostSettings) {
    const entry = path.join(import.meta.dirname, 'peerHost.ts');
    this.children = Array.from({ length: Math.max(1, count) }, () => {
      const child = fork(entry, [JSON.stringify(settings)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      child.on('message', (reply: PeerHostReply) => {
        const waiting = this.pending.get(reply.id);
        this.pending.delete(reply.id);
        if (reply.error !== undefined) waiting?.reject(new Error(`peer host: ${reply.error}`));
        else waiting?.resolve(reply.result);
      });
      child.on('exit', (code, signal) => {
        if (code !== 0) for (const w of this.pending.values()) w.reject(new Error(`a peer host exited (${code ?? signal})`));
      });
      return child;
    });
  }

  /** Joins a participant on the next host: its time to the first remote video frame (or null). */
  join(peer: { name: string; uid: string; token: string }, callid: string, order: string[]): Promise<number | null> {
    const host = this.children[this.placed++ % this.children.length]!;
    void Promise.all(this.children.filter((c) => c !== host).map((c) => this.ask(c, { type: 'order', order })));
    return this.ask(host, { type: 'join', ...peer, callid, order }) as Promise<number | null>;
  }

  /** Every host's counters, merged (stream keys prefixed by host). */
  async snapshot(): Promise<{ inbound: InboundSnapshot; uplink: InboundSnapshot; cpuUs: number; layers: number[]; peerConnections: number }> {
    const all = (await Promise.all(this.children.map((c) => this.ask(c, { type: 'snapshot' })))) as PeerHostSnapshot[];
    const prefixed = (i: number, entries: PeerHostSnapshot['inbound']) => entries.map(([k, v]) => [`${i}/${k}`, v] as const);
    return {
      inbound: new Map(all.flatMap((s, i) => prefixed(i, s.inbound))),
      uplink: new Map(all.flatMap((s, i) => prefixed(i, s.uplink))),
      cpuUs: all.reduce((sum, s) => sum + s.cpuUs, 0),
      layers: all.flatMap((s) => s.layers),
      peerConnections: all.reduce((sum, s) => sum + s.peerConnections, 0),
    };
  }

  async close(): Promise<void> {
    await Promise.all(this.children.map((c) => this.ask(c, { type: 'close' }).catch(() => undefined)));
    for (const c of this.children) c.disconnect();
  }

  private ask(child: ChildProcess, req: PeerHostAsk): Promise<unknown> {
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      const message: PeerHostRequest = { ...req, id };
      child.send(message);
    });
  }
}
