import { ackError } from '../errors/errorAnswer';
import type { ChatSocket } from './ChatSocket';

/** A listener registered on every socket; the emitter calls it with the socket as `this`. */
export type SharedListener = (this: ChatSocket, payload: unknown, ack?: unknown) => void;

/**
 * A guarded handler that takes its socket (a missing ack, a bad payload or a thrown error never
 * crashes the process; failures answer `{ error }`): one function shared by every socket (the emitter
 * passes the socket as `this`) instead of two closures per socket and event, which an idle
 * connection would otherwise hold for its whole life.
 */
export function sharedListener<R>(run: (socket: ChatSocket, payload: unknown) => Promise<R>, onError: (err: unknown) => void): SharedListener {
  return function (this: ChatSocket, payload: unknown, ack?: unknown) {
    const reply = typeof ack === 'function' ? (ack as (r: unknown) => void) : () => undefined;
    // Started inside a promise so a handler that throws before its first await is answered too.
    Promise.resolve()
      .then(() => run(this, payload))
      .then(reply, (err) => {
        const body = ackError(err);
        if (body.error.code === 'internal_error') onError(err);
        reply(body);
      });
  };
}

export interface LazyFeature {
  /** Events of the feature start with this (`call:`, `live:`). */
  prefix: string;
  attach(socket: ChatSocket): void;
}

/**
 * An onAny listener that attaches a feature's listeners to a socket on the socket's first event of
 * that feature, instead of at connect: calls and live streams register about 25 listeners (with
 * their closures) per socket, which most sockets never use. Socket.IO runs onAny listeners before it
 * dispatches the event (on the next tick), so the event that triggers the attach reaches the
 * listeners it attached.
 */
export function attachOnFirstUse(features: LazyFeature[]): (this: ChatSocket, event: string) => void {
  const attached = features.map(() => new WeakSet<ChatSocket>());
  return function (this: ChatSocket, event: string) {
    if (typeof event !== 'string') return;
    for (let i = 0; i < features.length; i++) {
      if (!event.startsWith(features[i].prefix) || attached[i].has(this)) continue;
      attached[i].add(this);
      features[i].attach(this);
    }
  };
}
