import { randomBytes } from 'node:crypto';

// Crockford base32: sortable as plain strings, so ids compare the way they were made.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export type IdPrefix =
  | 'shr'
  | 'prg'
  | 'par'
  | 'ref'
  | 'rwd'
  | 'evt'
  | 'clk'
  | 'key'
  | 'led'
  | 'pst'
  | 'obx'
  | 'eml'
  | 'pay'
  | 'pyi'
  | 'aud'
  | 'inv'
  | 'sig'
  | 'rev'
  | 'dev'
  | 'rpl'
  | 'rpc'
  | 'tsk'
  | 'whk'
  | 'dlv'
  | 'att';

// Random bytes are drawn in blocks: one system call per 409 ids instead of one per id.
const POOL_SIZE = 4096;
let pool = randomBytes(POOL_SIZE);
let poolOffset = 0;

function random10(): Uint8Array {
  if (poolOffset + 10 > POOL_SIZE) {
    pool = randomBytes(POOL_SIZE);
    poolOffset = 0;
  }
  poolOffset += 10;
  return pool.subarray(poolOffset - 10, poolOffset);
}

let lastTime = -1;
let lastRandom: Uint8Array = new Uint8Array(10);

function encodeTime(ms: number): string {
  let out = '';
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[ms % 32] + out;
    ms = Math.floor(ms / 32);
  }
  return out;
}

function encodeRandom(bytes: Uint8Array): string {
  // 80 bits -> 16 base32 characters, 5 bits at a time.
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ALPHABET[(buffer >> bits) & 31];
    }
    buffer &= (1 << bits) - 1;
  }
  return out;
}

function increment(bytes: Uint8Array): Uint8Array {
  const next = Uint8Array.from(bytes);
  for (let i = next.length - 1; i >= 0; i--) {
    if (next[i] === 255) {
      next[i] = 0;
    } else {
      next[i] = (next[i] ?? 0) + 1;
      break;
    }
  }
  return next;
}

/**
 * ULID-like id with a type prefix. Ids made in the same millisecond by this process stay
 * strictly increasing, so newest-first pagination by id matches creation order.
 */
export function newId(prefix: IdPrefix, now: number = Date.now()): string {
  if (now <= lastTime) {
    lastRandom = increment(lastRandom);
  } else {
    lastTime = now;
    lastRandom = random10();
  }
  return `${prefix}_${encodeTime(lastTime)}${encodeRandom(lastRandom)}`;
}

/** The smallest id of a type made at or after `ms`: ids are time-ordered, so a time range is an id range. */
export function idFloor(prefix: IdPrefix, ms: number): string {
  return `${prefix}_${encodeTime(ms)}`;
}

/** The time, in ms, that an id's first ten characters encode: what `idFloor` compares it by. */
export function idTime(id: string): number {
  const encoded = id.slice(id.indexOf('_') + 1, id.indexOf('_') + 11);
  let ms = 0;
  for (const char of encoded) ms = ms * 32 + ALPHABET.indexOf(char);
  return ms;
}
