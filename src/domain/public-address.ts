import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Whether an IP address is one a webhook may reach: a public unicast address, by ipaddr.js's
 * range tables. Addresses that carry an IPv4 address inside (IPv4-mapped, NAT64, 6to4, Teredo)
 * are public only when what they carry is, so `[64:ff9b::7f00:1]` is loopback.
 */
export interface AddressVerdict {
  public: boolean;
  /** ipaddr.js's range name (`loopback`, `private`, `rfc6052`…), or ours: `ipv4Compatible`, `unallocated`, `invalid`. */
  range: string;
  /** The IPv4 addresses carried inside, each judged too. */
  embedded: AddressVerdict[];
  address: string;
}

const IPV4_COMPATIBLE = ipaddr.IPv6.parseCIDR('::/96');
const NAT64_WELL_KNOWN = ipaddr.IPv6.parseCIDR('64:ff9b::/96');
// Only 2000::/3 is allocated as global unicast; ipaddr.js calls anything unlisted "unicast".
const GLOBAL_UNICAST = ipaddr.IPv6.parseCIDR('2000::/3');

const v4 = (high: number, low: number) => new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);

function judgeV4(address: ipaddr.IPv4): AddressVerdict {
  const range = address.range();
  return { public: range === 'unicast', range, embedded: [], address: address.toString() };
}

/** The IPv4 addresses an IPv6 address of these ranges carries; null for every other range. */
function carried(address: ipaddr.IPv6, range: string): ipaddr.IPv4[] | null {
  const p = address.parts as [number, number, number, number, number, number, number, number];
  if (range === 'ipv4Mapped') return [v4(p[6], p[7])];
  if (range === 'rfc6052') return address.match(NAT64_WELL_KNOWN) ? [v4(p[6], p[7])] : null;
  if (range === '6to4') return [v4(p[1], p[2])];
  // Teredo: the server's address in clear, the client's with every bit inverted.
  if (range === 'teredo') return [v4(p[2], p[3]), v4(p[6] ^ 0xffff, p[7] ^ 0xffff)];
  return null;
}

function judgeV6(address: ipaddr.IPv6): AddressVerdict {
  let range: string = address.range();
  // Deprecated (RFC 4291): `::127.0.0.1` would reach 127.0.0.1 on some stacks.
  if (range === 'unicast' && address.match(IPV4_COMPATIBLE)) range = 'ipv4Compatible';
  else if (range === 'unicast' && !address.match(GLOBAL_UNICAST)) range = 'unallocated';
  const inside = carried(address, range);
  const embedded = (inside ?? []).map(judgeV4);
  const isPublic = inside ? embedded.every((e) => e.public) : range === 'unicast';
  return { public: isPublic, range, embedded, address: address.toString() };
}

/** Judges an address as a resolver answers it or a URL writes it (brackets and zone allowed). */
export function classifyAddress(raw: string): AddressVerdict {
  const text = raw.replace(/^\[|\]$/g, '');
  // Only the forms a socket takes: ipaddr.js also reads `0x7f.1`, which no resolver answers.
  if (isIP(text) === 0) return { public: false, range: 'invalid', embedded: [], address: raw };
  const parsed = ipaddr.parse(text);
  return parsed.kind() === 'ipv4' ? judgeV4(parsed as ipaddr.IPv4) : judgeV6(parsed as ipaddr.IPv6);
}

export const isPublicAddress = (address: string): boolean => classifyAddress(address).public;

/** Why an address is refused, for an error message: `64:ff9b::7f00:1 (rfc6052 of 127.0.0.1, loopback)`. */
export function describeAddress(verdict: AddressVerdict): string {
  const inner = verdict.embedded.filter((e) => !e.public).map((e) => `${e.address}, ${e.range}`);
  return inner.length > 0
    ? `${verdict.address} (${verdict.range} of ${inner.join('; ')})`
    : `${verdict.address} (${verdict.range})`;
}
