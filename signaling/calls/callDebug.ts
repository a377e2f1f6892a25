import type { Room } from '../../media';
import type { ClusterPeers } from '../cluster/ClusterPeers';
import type { MediaRoomSupervisor } from '../media-rooms/MediaRoomSupervisor';
import type { ChatSocket } from '../socket/ChatSocket';
import type { ChatServer } from '../socket/Fanout';
import { sharedListener, type SharedListener } from '../socket/sharedListeners';
import type { CallBook } from './CallBook';
import type { CallLegs } from './CallLegs';
import type { CallDebugConsumer, CallDebugInfo } from './CallTypes';

/** Tests only: the `call:debug` event exists where COOKIM_CALL_DEBUG=1, and nowhere else. */
export const callDebugEnabled = (): boolean => process.env.COOKIM_CALL_DEBUG === '1';

/**
 * `call:debug` (tests only): every process's workers, pids and calls, so tests can find which
 * worker holds a call and kill it. Not part of the client protocol, so outside the event table.
 */
export class CallDebug {
  private readonly listener: SharedListener;

  constructor(
    private readonly nodeId: string,
    private readonly book: CallBook,
    private readonly legs: CallLegs,
    private readonly rooms: MediaRoomSupervisor,
    private readonly peers: ClusterPeers,
    io: ChatServer,
    onError: (err: unknown) => void,
  ) {
    io.of('/').on('call:debug', (ack) => ack(this.info()));
    this.listener = sharedListener(async () => ({ processes: [this.info(), ...(await this.peers.debugCalls())] }), onError);
  }

  attach(socket: ChatSocket): void {
    // The event is not in ClientToServerEvents (no client may rely on it).
    const untyped: { on(event: string, listener: SharedListener): unknown } = socket;
    untyped.on('call:debug', this.listener);
  }

  private info(): CallDebugInfo {
    return {
      node: this.nodeId,
      pid: process.pid,
      workers: this.rooms.running?.workers() ?? [],
      calls: this.book.all().map((c) => {
        const stats = c.room?.stats();
        return {
          callid: c.callid,
          sessionid: c.sessionid,
          participants: [...c.participants.keys()],
          workerPid: c.room?.worker.pid ?? null,
          producers: stats?.producers ?? 0,
          consumers: stats?.consumers ?? 0,
          workers: c.room?.workerStats() ?? [],
          placements: Object.fromEntries([...c.participants.keys()].map((uid) => [uid, c.room?.placement(uid) ?? null])),
          consumerStates: consumerStates(c.room),
        };
      }),
      legs: this.legs.all().map((leg) => ({
        callid: leg.callid,
        participants: [...leg.peers.keys()],
        workers: leg.room?.workerStats() ?? [],
        placements: Object.fromEntries([...leg.peers.keys()].map((uid) => [uid, leg.room?.placement(uid) ?? null])),
        consumerStates: consumerStates(leg.room),
      })),
    };
  }
}

function consumerStates(room: Room | null): CallDebugConsumer[] {
  return (room?.consumers() ?? []).map((x) => ({
    consumerId: x.consumerId,
    uid: x.peerId,
    from: x.producerPeerId,
    kind: x.kind,
    source: x.source,
    paused: x.paused,
  }));
}
