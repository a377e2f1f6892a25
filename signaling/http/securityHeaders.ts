/**
 * Security headers of every answer (the web client, its assets and the API): a strict CSP the
 * client passes without inline script or eval, no framing, no MIME sniffing, a referrer policy,
 * and HSTS when the request came over TLS (req.secure, which believes X-Forwarded-Proto only from
 * TRUST_PROXY). Served files (/api/files) replace the CSP and CORP with their own stricter ones.
 */
import type { IncomingMessage } from 'node:http';
import type { Request, RequestHandler } from 'express';
import helmet from 'helmet';

/** A Host header that can safely go into the policy (host name or [IPv6], optional port). */
const SAFE_HOST = /^(?:[a-z0-9.-]+|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

/**
 * Socket.IO's WebSocket to this same host. CSP Level 3 browsers match ws:/wss: of the page's host
 * with 'self' already; older ones (Safari before 15.4) need the origin spelled out.
 */
function ownSockets(req: IncomingMessage): string {
  const host = req.headers.host ?? '';
  return SAFE_HOST.test(host) ? `ws://${host} wss://${host}` : "'self'";
}

/** The web client's policy: exactly what it loads. */
export const appCspDirectives = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  // Styles come from the built .css files; Vue's :style bindings go through the CSSOM, which CSP allows.
  'style-src': ["'self'"],
  // blob: local previews of picked images and hls.js; data: small inline images of CSS and SVG.
  'img-src': ["'self'", 'blob:', 'data:'],
  // blob: hls.js plays through a MediaSource object URL; previews of picked voice and video.
  'media-src': ["'self'", 'blob:'],
  'connect-src': ["'self'", ownSockets],
  'font-src': ["'self'"],
  // The md5 worker is a built file; hls.js starts its transmuxing worker from a blob: URL.
  'worker-src': ["'self'", 'blob:'],
  'manifest-src': ["'self'"],
  'object-src': ["'none'"],
  'frame-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
};

/** HLS playlists and segments are fetched by players on other origins (CORS is open there too). */
const HLS_PATH = /^\/api\/live\/[^/]+\/hls\//;

export function securityHeaders(): RequestHandler[] {
  const headers = helmet({
    contentSecurityPolicy: { useDefaults: false, directives: appCspDirectives },
    crossOriginOpenerPolicy: { policy: 'same-origin' },
    crossOriginResourcePolicy: { policy: 'same-origin' },
    // Cross-origin isolation (COEP) is not needed and would block nothing the app loads, but it
    // would make every future third-party resource opt in; left off.
    crossOriginEmbedderPolicy: false,
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
    xFrameOptions: { action: 'deny' },
    // Set below, only over TLS: over plain HTTP the header is meaningless and misleading.
    strictTransportSecurity: false,
  });
  const tls: RequestHandler = (req: Request, res, next) => {
    if (req.secure) res.setHeader('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    if (HLS_PATH.test(req.path)) res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
    next();
  };
  return [headers, tls];
}
