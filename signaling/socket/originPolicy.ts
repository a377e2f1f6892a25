import type { IncomingMessage } from 'node:http';
import type { ServerOptions } from 'socket.io';

/**
 * Whether a browser page from `origin` may use the Socket.IO endpoint reached at `host`: a request
 * without Origin (Node clients, bots: no browser, so no visitor's credentials to borrow), the
 * origin the request was sent to (same origin, whatever the scheme a proxy terminated; any port
 * when the Host a proxy forwards has none), or an
 * origin listed in ALLOWED_ORIGINS (`*`: any).
 */
export function isAllowedOrigin(origin: string | undefined, host: string | undefined, allowed: readonly string[]): boolean {
  if (origin === undefined) return true;
  const normalized = origin.toLowerCase();
  if (allowed.includes('*') || allowed.some((a) => a.toLowerCase() === normalized)) return true;
  if (!host) return false;
  const target = host.toLowerCase();
  try {
    const url = new URL(normalized);
    // A proxy that forwards `Host: $host` (nginx) drops the port the browser used.
    return url.host === target || (!/:\d+$/.test(target) && url.hostname === target);
  } catch {
    // `null` (sandboxed frames, file:) and anything else that is not a URL.
    return false;
  }
}

const allowedFor = (req: IncomingMessage, allowed: readonly string[]) => isAllowedOrigin(req.headers.origin, req.headers.host, allowed);

/**
 * Socket.IO's CORS answers only allowed origins (no more reflecting every Origin with credentials),
 * and a handshake from another origin, long-polling or WebSocket, is refused (403) before any
 * session exists; later requests of a session carry its id, which only its allowed page has.
 */
export function originOptions(allowed: readonly string[]): Pick<ServerOptions, 'cors' | 'allowRequest'> {
  return {
    cors: (req, callback) => callback(null, { origin: allowedFor(req as IncomingMessage, allowed), credentials: true }),
    allowRequest: (req, callback) => {
      const ok = allowedFor(req, allowed);
      callback(ok ? null : 'origin not allowed', ok);
    },
  };
}
