import type { Call } from './Call';
import type { CallBook } from './CallBook';
import type { CallDeps } from './CallDeps';
import type { CallLegNotice } from './CallLegTypes';

/**
 * The owner's side of participants whose media is on another process: their producers, as the
 * legs report them, are kept with the call (for joiners) and announced to the other participants.
 */
export class CallLegNotices {
  constructor(
    private readonly deps: CallDeps,
    private readonly book: CallBook,
  ) {
    deps.io.of('/').on('call:legNotice', (notice, ack) => ack(this.apply(notice)));
  }

  /** Answers whether this process owns the call. */
  apply({ callid, uid, socketId, change, producers }: CallLegNotice): boolean {
    const call = this.book.get(callid);
    if (!call) return false;
    // A notice about a socket that has left (or joined again elsewhere) changes nothing.
    if (call.participants.get(uid)?.socketId !== socketId) return true;
    const others = call.socketsExcept(uid);
    const closed: string[] = [];
    for (const p of producers) {
      const known = call.remoteProducers.get(p.producerId);
      if (change === 'closed') {
        if (!call.remoteProducers.delete(p.producerId)) continue;
        closed.push(p.producerId);
        if (others.length) this.deps.io.to(others).emit('call:producer:closed', { callid, producerId: p.producerId, uid });
      } else if (change === 'new') {
        call.remoteProducers.set(p.producerId, { ...p, uid });
        // The one active speaker observer (on the owner) hears every participant's audio.
        if (p.kind === 'audio') void call.room?.observeRemoteAudio(p.producerId).catch((err: unknown) => this.deps.logger.warn({ err, callid }, 'the active speaker observer cannot hear a remote producer'));
        if (others.length) this.deps.io.to(others).emit('call:producer:new', { callid, ...p, uid });
      } else if (known) {
        known.paused = change === 'paused';
        const event = change === 'paused' ? 'call:producer:paused' : 'call:producer:resumed';
        if (others.length) this.deps.io.to(others).emit(event, { callid, producerId: p.producerId, uid });
      }
    }
    this.importsGone(call, closed);
    return true;
  }

  /**
   * The user's media on other processes ends: the others hear its producers closed, and its leg is
   * told unless the same socket joins again (its leg starts that user's media afresh itself, and a
   * late word would end the new media).
   */
  drop(call: Call, uid: string, socketId: string, tellLeg: boolean): void {
    const others = call.socketsExcept(uid);
    const closed: string[] = [];
    for (const [producerId, p] of [...call.remoteProducers]) {
      if (p.uid !== uid) continue;
      call.remoteProducers.delete(producerId);
      closed.push(producerId);
      if (others.length) this.deps.io.to(others).emit('call:producer:closed', { callid: call.callid, producerId, uid });
    }
    for (const producerId of closed) call.room?.dropImport(producerId);
    const update = { callid: call.callid, ...(tellLeg ? { drop: { uid, socketId } } : {}), ...(closed.length ? { closed } : {}) };
    if (update.drop || update.closed) void this.deps.peers.callLegUpdate(update).catch(() => undefined);
  }

  /** Producers of a leg are gone: imports of them close here and on the other legs. */
  private importsGone(call: Call, closed: string[]): void {
    if (!closed.length) return;
    for (const producerId of closed) call.room?.dropImport(producerId);
    void this.deps.peers.callLegUpdate({ callid: call.callid, closed }).catch(() => undefined);
  }

  /** The call ended: every leg closes. */
  ended(call: Call): void {
    call.remoteProducers.clear();
    void this.deps.peers.callLegUpdate({ callid: call.callid, ended: true }).catch(() => undefined);
  }
}
