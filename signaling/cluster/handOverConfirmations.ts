/** The message a worker sends back for every connection the primary handed to it. */
export const HANDED_OVER = 'cookim:handed-over';

/**
 * In a worker: confirm each connection received from the primary (ConnectionBalancer), so the
 * primary closes its own descriptor of it. Registered after @socket.io/sticky's setupWorker, whose
 * listener has taken the connection into the HTTP server by then.
 */
export function confirmHandOvers(): void {
  process.on('message', (msg: { type?: string; id?: unknown }) => {
    if (msg?.type === 'sticky:connection' && typeof msg.id === 'number') process.send?.({ type: HANDED_OVER, id: msg.id });
  });
}
