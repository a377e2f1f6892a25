/**
 * Which peers may speak for the client (PROTOCOL.md "Operations"): `X-Forwarded-For` and
 * `X-Forwarded-Proto` are believed only from the proxies named in TRUST_PROXY. One rule for every
 * place that needs the client's address or scheme: express's req.ip / req.secure (rate limits,
 * HSTS, the /metrics allow-list) and Socket.IO handshakes (clientAddress(socket.request)).
 */
import type { IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';

/** (address, hop index) => trusted?, as express's `trust proxy fn`. */
export type TrustFn = (address: string | undefined, hop: number) => boolean;

interface ProxyAddr {
  (req: IncomingMessage, trust: TrustFn): string;
  compile(value: string[]): TrustFn;
}
// express's own dependency: the same code express uses for req.ip.
const proxyaddr = createRequire(import.meta.url)('proxy-addr') as ProxyAddr;

/** TRUST_PROXY as express's `trust proxy` value: false (none), a hop count, or address names/CIDRs. */
export type TrustProxySetting = false | number | string[];

/**
 * Reads TRUST_PROXY: unset, empty, `false`, `off`, `none` or `0`: trust nobody; a number: that many
 * hops; otherwise a comma-separated list of `loopback`, `linklocal`, `uniquelocal`, addresses and
 * CIDRs. `true` (trust anything) is refused: it lets every client pick its own address.
 */
export function parseTrustProxy(raw: string | undefined): TrustProxySetting {
  const text = raw?.trim() ?? '';
  if (text === '' || /^(false|off|none|0)$/i.test(text)) return false;
  if (/^\d+$/.test(text)) return Number(text);
  if (/^true$/i.test(text)) throw new Error('TRUST_PROXY=true would believe X-Forwarded-For from anyone; name the proxies (e.g. loopback or 10.0.0.0/8) or a hop count');
  return parseAddressList('TRUST_PROXY', text);
}

/** A comma-separated list of proxy-addr names, addresses and CIDRs, checked now rather than per request. */
export function parseAddressList(name: string, text: string): string[] {
  const list = text.split(',').map((part) => part.trim()).filter(Boolean);
  try {
    proxyaddr.compile(list);
  } catch (err) {
    throw new Error(`${name} must list loopback, linklocal, uniquelocal, addresses or CIDRs: ${(err as Error).message}`);
  }
  return list;
}

const compiled = new Map<string, TrustFn>();

/** The trust function of a setting (compiled once per distinct setting). */
export function trustFn(setting: TrustProxySetting): TrustFn {
  const key = JSON.stringify(setting);
  let fn = compiled.get(key);
  if (!fn) {
    if (setting === false) fn = () => false;
    else if (typeof setting === 'number') {
      const hops = setting;
      fn = (_address, hop) => hop < hops;
    } else fn = proxyaddr.compile(setting);
    compiled.set(key, fn);
  }
  return fn;
}

/** An address list (e.g. METRICS_ALLOW) as a membership test. */
export function addressMatcher(list: string[]): (address: string | undefined) => boolean {
  const fn = proxyaddr.compile(list);
  return (address) => !!address && fn(address, 0);
}

/**
 * The client's address of a raw request (a Socket.IO handshake's socket.request), by the same rule
 * as express's req.ip: the socket's peer, or the nearest untrusted X-Forwarded-For entry.
 */
export function clientAddress(req: IncomingMessage, setting: TrustProxySetting): string {
  return proxyaddr(req, trustFn(setting));
}
