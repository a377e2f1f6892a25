import type { Room } from '../../media';
import type { CallBook } from './CallBook';
import type { CallDeps } from './CallDeps';
import type { CallLifecycle } from './CallLifecycle';

/** How often the owner checks that its calls' participants on other processes are still connected. */
const SWEEP_MS = 5_000;

/**
 * A participant connected to another process is told to leave by that process when its socket
 * goes; a process that dies tells nobody. The owner checks, every few seconds, that those sockets
 * still exist somewhere in the cluster (the adapter's fetchSockets) and lets the missing ones
 * leave: the others hear their producers closed, the call goes on. Pipes this process sends to
 * a process that stopped answering (twice in a row: a slow answer is not a death) are closed.
 */
export class CallPresence {
  private readonly timer: NodeJS.Timeout;
  private sweeping = false;
  /** Processes piped to that did not answer the last check. */
  private silent = new Set<string>();

  constructor(
    private readonly deps: CallDeps,
    private readonly book: CallBook,
    private readonly lifecycle: CallLifecycle,
    /** The calls' rooms on this process (owned calls and legs). */
    private readonly rooms: () => Room[],
  ) {
    this.timer = setInterval(() => void this.sweep(), SWEEP_MS);
    this.timer.unref();
  }

  close(): void {
    clearInterval(this.timer);
  }

  private async sweep(): Promise<void> {
    if (this.sweeping) return;
    this.sweeping = true;
    try {
      await this.sweepParticipants();
      await this.sweepPipes();
    } finally {
      this.sweeping = false;
    }
  }

  private async sweepPipes(): Promise<void> {
    const rooms = this.rooms();
    const piped = new Set(rooms.flatMap((room) => [...room.pipesTo()]));
    if (piped.size === 0) {
      this.silent.clear();
      return;
    }
    const alive = new Set(await this.deps.peers.aliveProcesses());
    const silent = new Set([...piped].filter((p) => !alive.has(p)));
    const gone = new Set([...silent].filter((p) => this.silent.has(p)));
    this.silent = silent;
    if (gone.size === 0) return;
    this.deps.logger.warn({ processes: [...gone] }, 'processes a call pipes media to are gone; closing those pipes');
    for (const room of rooms) room.closePipesTo(gone);
  }

  private async sweepParticipants(): Promise<void> {
    const nsp = this.deps.io.of('/');
    const remote = new Set<string>();
    for (const call of this.book.all()) for (const p of call.participants.values()) if (!nsp.sockets.has(p.socketId)) remote.add(p.socketId);
    if (remote.size === 0) return;
    try {
      const found = new Set((await this.deps.io.in([...remote]).fetchSockets()).map((s) => s.id));
      for (const socketId of remote) {
        if (found.has(socketId) || nsp.sockets.has(socketId)) continue;
        this.deps.logger.warn({ socketId }, 'a call participant\'s process is gone; it leaves the call');
        this.lifecycle.socketGone(socketId);
      }
    } catch (err) {
      // Some process did not answer in time: nobody is dropped on a doubt.
      this.deps.logger.debug({ err }, 'checking call participants on other processes failed');
    }
  }
}
