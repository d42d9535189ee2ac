import { keyedHash } from '../../lib/keyed-hash.ts';

/**
 * Clicks store a keyed hash of the visitor's IP, never the IP. The same visitor clicks again and
 * again (and a proxy sends many visitors from one address), so recent hashes are kept in a bounded
 * map: only a cache, the hash of an address never changes for a given secret.
 */
export function ipHasher(secret: string, maxEntries = 10_000): (ip: string) => string {
  const recent = new Map<string, string>();
  return (ip) => {
    let hash = recent.get(ip);
    if (hash === undefined) {
      hash = keyedHash(secret, ip);
      // Maps iterate in insertion order: the first key is the oldest entry.
      if (recent.size >= maxEntries) recent.delete(recent.keys().next().value as string);
      recent.set(ip, hash);
    }
    return hash;
  };
}
