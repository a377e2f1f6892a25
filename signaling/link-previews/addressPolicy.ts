import dns from 'node:dns';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import { BlockedAddressError } from './linkPreviewErrors';

/** Deprecated IPv6 site-local (fec0::/10): private in practice, yet ipaddr.js calls it unicast. */
const SITE_LOCAL = ipaddr.parseCIDR('fec0::/10');

/**
 * Whether the server may connect to this address: only public unicast. Everything else is refused:
 * private, loopback, link-local, unique-local, multicast, carrier-grade NAT, unspecified, broadcast,
 * reserved and documentation ranges, and the IPv6 forms that embed an IPv4 address (mapped,
 * NAT64, 6to4, Teredo), which are judged as that IPv4 address or refused.
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  // process() turns an IPv4-mapped IPv6 address (::ffff:10.0.0.1) into the IPv4 address it carries.
  const ip = ipaddr.process(address);
  if (ip.kind() === 'ipv6' && ip.match(SITE_LOCAL)) return false;
  return ip.range() === 'unicast';
}

/** A URL host that is an address literal (`127.0.0.1`, `[::1]`), without brackets; null for a name. */
export function addressLiteral(hostname: string): string | null {
  const bare = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  return ipaddr.isValid(bare) ? bare : null;
}

/** Which addresses a fetch may connect to. */
export type AddressAllowed = (address: string) => boolean;

/** The policy: public unicast only, or anything (LINK_PREVIEW_ALLOW_PRIVATE, tests). */
export function addressPolicy(allowPrivate: boolean): AddressAllowed {
  return allowPrivate ? () => true : isPublicAddress;
}

/**
 * Refuses a URL whose host is an address literal the policy forbids. Connections to a literal skip
 * DNS (so the lookup hook below never sees them): this is their check.
 */
export function checkAddressLiteral(url: URL, allowed: AddressAllowed): void {
  const literal = addressLiteral(url.hostname);
  if (literal && !allowed(literal)) throw new BlockedAddressError(`${url.hostname} is not a public address`);
}

/**
 * The DNS lookup the fetch sockets use: resolves the name and answers only addresses the policy
 * allows, so the socket connects to exactly an address that was checked (a second resolution that
 * could answer differently, DNS rebinding, never happens).
 */
export function checkedLookup(allowed: AddressAllowed): LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { all: true, family: options.family, hints: options.hints }, (err, addresses) => {
      if (err) return callback(err, '');
      const usable = addresses.filter((a) => allowed(a.address));
      if (usable.length === 0) return callback(new BlockedAddressError(`${hostname} resolves to no public address`), '');
      if (options.all) return callback(null, usable);
      return callback(null, usable[0].address, usable[0].family);
    });
  };
}
