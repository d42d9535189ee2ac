import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';
import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js';

// Canonical identities let fraud rules see that two sign-ups are the same person (or the same
// script) even when the raw strings differ. Everything here is pure: no I/O, no clock, no env.

export type NormalizedEmail = { address: string; local: string; domain: string };

/** Providers that deliver `local+tag@domain` to `local@domain`, so the tag is not a new identity. */
export const PLUS_ADDRESSING_DOMAINS: ReadonlySet<string> = new Set([
  'gmail.com',
  'outlook.com',
  'hotmail.com',
  'live.com',
  'msn.com',
  'icloud.com',
  'me.com',
  'mac.com',
  'fastmail.com',
  'fastmail.fm',
  'protonmail.com',
  'proton.me',
  'pm.me',
  'zoho.com',
  'yandex.ru',
  'yandex.com',
  'hey.com',
  'duck.com',
]);

// Yahoo's disposable addresses are `base-keyword@`, so everything from the first '-' is the alias.
const HYPHEN_ALIAS_DOMAINS: ReadonlySet<string> = new Set(['yahoo.com', 'ymail.com', 'rocketmail.com']);
const DOMAIN_ALIASES: Readonly<Record<string, string>> = { 'googlemail.com': 'gmail.com' };

// Labels are letters, digits and hyphens (Unicode letters allowed before IDN conversion), never
// starting or ending with a hyphen, as DNS requires.
const UNICODE_LABEL = /^[\p{L}\p{M}\p{N}](?:[\p{L}\p{M}\p{N}-]*[\p{L}\p{M}\p{N}])?$/u;
const ASCII_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export function normalizeEmail(raw: string): NormalizedEmail | null {
  // NFKC first so fullwidth look-alikes (including '＠') compare equal to their ASCII forms.
  const input = raw.normalize('NFKC').trim().toLowerCase();
  if (/[\s\p{Cc}]/u.test(input)) return null;
  const parts = input.split('@');
  if (parts.length !== 2) return null;
  const [rawLocal = '', rawDomain = ''] = parts;
  if (rawLocal === '' || rawLocal.length > 64) return null;
  const ascii = asciiDomain(rawDomain);
  // Lengths are checked on the address as given, before tags are removed: that is what mail accepts.
  if (ascii === null || rawLocal.length + 1 + ascii.length > 254) return null;
  const domain = DOMAIN_ALIASES[ascii] ?? ascii;
  const local = canonicalLocal(rawLocal, domain);
  if (local === '') return null;
  return { address: `${local}@${domain}`, local, domain };
}

function asciiDomain(domain: string): string | null {
  const labels = domain.split('.');
  if (labels.length < 2 || !labels.every((label) => UNICODE_LABEL.test(label))) return null;
  const ascii = domainToASCII(domain);
  if (ascii === '') return null;
  return ascii.split('.').every((label) => ASCII_LABEL.test(label)) ? ascii : null;
}

function canonicalLocal(local: string, domain: string): string {
  let result = local;
  if (PLUS_ADDRESSING_DOMAINS.has(domain)) result = cutAt(result, '+');
  if (HYPHEN_ALIAS_DOMAINS.has(domain)) result = cutAt(result, '-');
  // Gmail ignores dots entirely: j.a.n.e and jane are one mailbox.
  if (domain === 'gmail.com') result = result.replaceAll('.', '');
  return result;
}

function cutAt(text: string, separator: string): string {
  const index = text.indexOf(separator);
  return index === -1 ? text : text.slice(0, index);
}

/** E.164 form (`+14155550123`), or null when the number cannot be parsed or is not valid. */
export function normalizePhone(raw: string, defaultCountry?: CountryCode): string | null {
  const phone = parsePhoneNumberFromString(raw, defaultCountry);
  return phone?.isValid() ? phone.number : null;
}

/**
 * The network a bulk-sign-up rule groups by: IPv4 /24, IPv6 /48 (a typical single-site
 * allocation). IPv4-mapped IPv6 is the IPv4 client it wraps, so both forms land in one group.
 */
export function ipSubnet(ip: string): string | null {
  const version = isIP(ip);
  if (version === 4) {
    const [a, b, c] = ip.split('.').map(Number);
    return `${a}.${b}.${c}.0/24`;
  }
  if (version !== 6) return null;
  const groups = ipv6Groups(ip);
  const mapped = mappedIpv4(groups);
  if (mapped) return `${mapped.slice(0, 3).join('.')}.0/24`;
  // The last five groups are zero, so that run is always the longest and is the one compressed.
  const head = groups.slice(0, 3);
  while (head.length > 0 && head[head.length - 1] === 0) head.pop();
  return `${head.map((group) => group.toString(16)).join(':')}::/48`;
}

/**
 * Who a per-address limit counts: an IPv4 address as it is, an IPv6 one by its /64. A single
 * subscriber or host is given a whole /64 and can answer from any of its 2^64 addresses, so
 * counting addresses would let one client past the limit by changing the last half. IPv4-mapped
 * IPv6 is the IPv4 client it wraps. Anything else (not an address) is counted as it is.
 */
export function limitedClient(ip: string): string {
  const version = isIP(ip);
  if (version !== 6) return ip;
  const groups = ipv6Groups(ip);
  const mapped = mappedIpv4(groups);
  if (mapped) return mapped.join('.');
  return `${groups
    .slice(0, 4)
    .map((group) => group.toString(16))
    .join(':')}::/64`;
}

/** The four octets of the IPv4 address an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) wraps. */
function mappedIpv4(groups: number[]): number[] | null {
  const [g0, g1, g2, g3, g4, g5, g6 = 0, g7 = 0] = groups;
  if (![g0, g1, g2, g3, g4].every((group) => group === 0) || g5 !== 0xffff) return null;
  return [g6 >> 8, g6 & 0xff, g7 >> 8, g7 & 0xff];
}

/** Eight 16-bit groups of an address `isIP` has already accepted as IPv6. */
function ipv6Groups(ip: string): number[] {
  let text = ip.split('%')[0] ?? '';
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.')) {
    const [a = 0, b = 0, c = 0, d = 0] = tail.split('.').map(Number);
    text = `${text.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((hex) => Number.parseInt(hex, 16)));
  if (!text.includes('::')) return parse(text);
  const [left = '', right = ''] = text.split('::');
  const head = parse(left);
  const rest = parse(right);
  return [...head, ...Array<number>(8 - head.length - rest.length).fill(0), ...rest];
}

/**
 * Whether a local part looks machine-generated. Signals and thresholds:
 * - letter↔digit switches: people append a number (`john.smith1985`, 1 switch); generators
 *   interleave (`a8f3k2j9`). Four or more switches is decisive on its own.
 * - longest run of consonants, y counted as a vowel: ≥ 5 is rare in names, but concatenated
 *   surnames reach it (`lindstrom`, `hirschfeld`), so it only counts as one vote.
 * - vowel ratio: names are roughly 40% vowels, yet `matt99schmidt` has 18%; < 0.2 over ≥ 10
 *   letters is the other vote.
 * Both votes make it random. Fewer than 8 characters (ignoring . _ -) is never judged random:
 * too little signal, and short real names (`info`, `j.doe`) would be caught.
 * Vowels and consonants are judged on a–z only, so non-Latin names are never flagged by them.
 */
export function looksRandom(local: string): boolean {
  const text = local.toLowerCase().replace(/[._-]/g, '');
  if ([...text].length < 8) return false;
  let switches = 0;
  let run = 0;
  let longestRun = 0;
  let letters = 0;
  let vowels = 0;
  let previous: 'letter' | 'digit' | 'other' | null = null;
  for (const char of text) {
    const kind = /\p{Nd}/u.test(char) ? 'digit' : /\p{L}/u.test(char) ? 'letter' : 'other';
    if (previous !== null && kind !== previous && kind !== 'other' && previous !== 'other') switches++;
    previous = kind;
    const latin = /[a-z]/.test(char);
    if (latin) letters++;
    if (latin && /[aeiouy]/.test(char)) vowels++;
    run = latin && !/[aeiouy]/.test(char) ? run + 1 : 0;
    longestRun = Math.max(longestRun, run);
  }
  if (switches >= 4) return true;
  return longestRun >= 5 && letters >= 10 && vowels / letters < 0.2;
}

/** `user123` → `{ stem: 'user', number: 123 }`: the shape scripted sign-ups share. */
export function sequenceStem(local: string): { stem: string; number: number } | null {
  const match = /^(.*?)(\d+)$/.exec(local);
  const stem = match?.[1];
  const digits = match?.[2];
  // Ten or more trailing digits are a phone number or a timestamp, not a counter.
  if (!stem || !digits || digits.length > 9) return null;
  return { stem, number: Number.parseInt(digits, 10) };
}

/**
 * The members of a numbered series that `local` continues: at least two of `others` that share its
 * stem, with all their numbers and its own in a window of 10, e.g. `promo101` next to `promo102`
 * and `promo099`. Empty when there is no series. Expects canonical local parts; an entry identical
 * to `local` is the same sign-up and is ignored.
 */
export function seriesMembers(local: string, others: readonly string[]): string[] {
  const own = sequenceStem(local);
  if (own === null) return [];
  const near = others.flatMap((other) => {
    const seq = other === local ? null : sequenceStem(other);
    return seq?.stem === own.stem && Math.abs(seq.number - own.number) <= 10
      ? [{ other, n: seq.number }]
      : [];
  });
  // Every window of width 10 that holds our number starts at our number or at a smaller neighbour.
  let best: string[] = [];
  for (const start of [own.number, ...near.filter((m) => m.n < own.number).map((m) => m.n)]) {
    const inside = near.filter((m) => m.n >= start && m.n <= start + 10).map((m) => m.other);
    if (inside.length > best.length) best = inside;
  }
  return best.length >= 2 ? best : [];
}

/** Whether `local` continues a numbered series among `others` (see seriesMembers). */
export function isSequential(local: string, others: readonly string[]): boolean {
  return seriesMembers(local, others).length > 0;
}
