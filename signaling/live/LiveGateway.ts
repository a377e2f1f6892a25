import type { ChatSocket } from '../socket/ChatSocket';
import { attachListeners, tableListeners, type EventTable, type TableListeners } from '../socket/eventTable';
import type { LiveDeps } from './LiveDeps';
import type { LiveEvent } from './liveEvents';
import type { LiveHandover } from './LiveHandover';
import type { LiveWatching } from './LiveWatching';

/**
 * Where live stream requests enter: runs the live event table (every payload validated at the
 * edge), lets go of streams whose publisher resumed on another process, and on disconnect ends or
 * holds the streams a socket published and recounts the ones it watched.
 */
export class LiveGateway {
  /** Shared by every socket (see sharedListener). */
  private readonly listeners: TableListeners;

  constructor(
    deps: LiveDeps,
    table: EventTable<LiveEvent>,
    private readonly handover: LiveHandover,
    private readonly watching: LiveWatching,
  ) {
    this.listeners = tableListeners(table, (err) => deps.logger.error({ err }, 'live stream request failed'));
    // A publisher resuming on another process (or node) takes its stream over from this one.
    deps.io.of('/').on('live:release', (streamid, ack) => ack(typeof streamid === 'string' && handover.release(streamid)));
  }

  attach(socket: ChatSocket): void {
    attachListeners(socket, this.listeners);
    let watching: string[] = [];
    socket.on('disconnecting', () => {
      watching = [...socket.rooms].filter((r) => r.startsWith('live:')).map((r) => r.slice('live:'.length));
    });
    socket.on('disconnect', () => {
      this.handover.publisherGone(socket.id);
      for (const streamid of watching) void this.watching.recount(streamid).catch(() => undefined);
    });
  }
}
