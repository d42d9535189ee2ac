import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkEndpointUrl,
  DISABLE_AFTER_MS,
  EVENT_TYPES,
  judgeAttempt,
  retryDelay,
  type UrlProblem,
  wants,
} from './webhooks.ts';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const now = new Date('2026-11-02T10:00:00Z');

/** The delay before each retry, after the 1st, 2nd … 9th failed attempt, with no jitter. */
const SCHEDULE = [
  5 * SECOND,
  5 * MINUTE,
  30 * MINUTE,
  2 * HOUR,
  5 * HOUR,
  10 * HOUR,
  10 * HOUR,
  14 * HOUR,
  20 * HOUR,
];

describe('retry schedule', () => {
  it.each(SCHEDULE.map((ms, i) => [i + 1, ms] as const))(
    'waits the scheduled delay after failed attempt %i (%i ms) when the jitter is centred',
    (attempts, ms) => {
      expect(retryDelay(attempts, 0.5)).toBe(ms);
    },
  );

  it('stretches over about two and a half days before jitter', () => {
    const total = SCHEDULE.reduce((a, b) => a + b, 0);
    expect(total / HOUR).toBeCloseTo(61.6, 1);
    // Giving up comes before the endpoint is disabled for failing, even with the longest jitter.
    expect(total * 1.2).toBeLessThan(DISABLE_AFTER_MS);
  });

  it('keeps every delay within ±20% of its base, whatever the random draw', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: SCHEDULE.length }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempts, random) => {
          const base = SCHEDULE[attempts - 1] as number;
          const delay = retryDelay(attempts, random) as number;
          expect(delay).toBeGreaterThanOrEqual(Math.floor(base * 0.8));
          expect(delay).toBeLessThanOrEqual(Math.ceil(base * 1.2));
          expect(Number.isInteger(delay)).toBe(true);
        },
      ),
    );
  });

  it('reaches both ends of the jitter range', () => {
    expect(retryDelay(1, 0)).toBe(4_000);
    expect(retryDelay(1, 0.999_999_9)).toBe(6_000);
  });

  it('gives up after the tenth attempt', () => {
    expect(retryDelay(SCHEDULE.length, 0.5)).not.toBeNull();
    expect(retryDelay(SCHEDULE.length + 1, 0.5)).toBeNull();
    expect(retryDelay(50, 0.5)).toBeNull();
  });
});

describe('judging an attempt', () => {
  it.each([200, 201, 202, 204, 299])('counts %i as delivered', (status) => {
    expect(judgeAttempt(status, 1, now, 0.5)).toEqual({ outcome: 'delivered' });
  });

  it('counts 2xx as delivered even on the last attempt', () => {
    expect(judgeAttempt(200, SCHEDULE.length + 1, now, 0.5)).toEqual({ outcome: 'delivered' });
  });

  it('reads 410 Gone as the endpoint being gone, at any attempt', () => {
    expect(judgeAttempt(410, 1, now, 0.5)).toEqual({ outcome: 'gone' });
    expect(judgeAttempt(410, SCHEDULE.length + 1, now, 0.5)).toEqual({ outcome: 'gone' });
  });

  it.each([
    ['a redirect', 301],
    ['a redirect', 302],
    ['a redirect', 307],
    ['a redirect', 308],
    ['not modified', 304],
    ['a client error', 400],
    ['a client error', 404],
    ['rate limiting', 429],
    ['a server error', 500],
    ['a server error', 503],
    ['an informational status', 100],
    ['no response (network error or timeout)', null],
  ] as const)('retries after %s (%s), 5 s later give or take 20%%', (_, status) => {
    const judged = judgeAttempt(status, 1, now, 0.5);
    expect(judged).toEqual({ outcome: 'retry', at: new Date(now.getTime() + 5 * SECOND) });
    for (const random of [0, 0.999_999]) {
      const { at } = judgeAttempt(status, 1, now, random) as { at: Date };
      const delay = at.getTime() - now.getTime();
      expect(delay).toBeGreaterThanOrEqual(4_000);
      expect(delay).toBeLessThanOrEqual(6_000);
    }
  });

  it('schedules the retry after the ninth failure 20 h later', () => {
    expect(judgeAttempt(500, 9, now, 0.5)).toEqual({
      outcome: 'retry',
      at: new Date(now.getTime() + 20 * HOUR),
    });
  });

  it.each([500, 302, null])('gives up on the tenth failed attempt (%s)', (status) => {
    expect(judgeAttempt(status, 10, now, 0.5)).toEqual({ outcome: 'failed' });
  });
});

describe('which events an endpoint wants', () => {
  it('takes the types it lists, and every type with "*"', () => {
    expect(wants(['participant.created'], 'participant.created')).toBe(true);
    expect(wants(['participant.created'], 'referral.created')).toBe(false);
    for (const type of EVENT_TYPES) expect(wants(['*'], type)).toBe(true);
  });
});

describe('endpoint URLs as saved', () => {
  const rows: [string, string, UrlProblem | null, UrlProblem | null][] = [
    // [case, url, problem in production, problem with private targets allowed]
    ['a public https URL', 'https://hooks.example.com/vouch?x=1', null, null],
    ['a public IPv4 literal', 'https://8.8.8.8/hooks', null, null],
    ['a public IPv6 literal', 'https://[2606:4700:4700::1111]/hooks', null, null],
    ['https on another port', 'https://hooks.example.com:8443/', null, null],
    ['plain http', 'http://hooks.example.com/', 'not_https', null],
    ['ftp', 'ftp://hooks.example.com/', 'not_https', 'not_https'],
    ['javascript:', 'javascript:alert(1)', 'not_https', 'not_https'],
    ['not a URL', 'hooks.example.com/path', 'invalid_url', 'invalid_url'],
    ['an empty string', '', 'invalid_url', 'invalid_url'],
    ['a user and password', 'https://user:pass@hooks.example.com/', 'has_credentials', 'has_credentials'],
    ['a user name only', 'https://user@hooks.example.com/', 'has_credentials', 'has_credentials'],
    ['localhost', 'https://localhost/', 'private_address', null],
    ['localhost in capitals', 'https://LOCALHOST:3000/', 'private_address', null],
    ['IPv4 loopback', 'https://127.0.0.1/', 'private_address', null],
    ['IPv4 loopback, shorthand', 'https://127.1/', 'private_address', null],
    ['IPv4 loopback as one number', 'https://2130706433/', 'private_address', null],
    ['IPv4 loopback in hex', 'https://0x7f000001/', 'private_address', null],
    ['cloud metadata', 'https://169.254.169.254/latest/meta-data', 'private_address', null],
    ['a private network', 'https://10.1.2.3/', 'private_address', null],
    ['0.0.0.0', 'https://0.0.0.0/', 'private_address', null],
    ['IPv6 loopback', 'https://[::1]:8443/', 'private_address', null],
    ['IPv6 link-local', 'https://[fe80::1]/', 'private_address', null],
    ['IPv6 unique local', 'https://[fd00::1]/', 'private_address', null],
    ['IPv4-mapped loopback', 'https://[::ffff:127.0.0.1]/', 'private_address', null],
    ['IPv4-mapped metadata', 'https://[::ffff:169.254.169.254]/', 'private_address', null],
    ['IPv4-compatible loopback', 'https://[::127.0.0.1]/', 'private_address', null],
    ['NAT64 of loopback', 'https://[64:ff9b::7f00:1]/', 'private_address', null],
    ['site-local', 'https://[fec0::1]/', 'private_address', null],
    ['IPv4-translated loopback', 'https://[::ffff:0:7f00:1]/', 'private_address', null],
    ['a subdomain of localhost', 'https://hooks.localhost/', 'private_address', null],
  ];

  it.each(rows)('%s (%s): %s, or %s when private targets are allowed', (_, url, strict, relaxed) => {
    expect(checkEndpointUrl(url, false)).toBe(strict);
    expect(checkEndpointUrl(url, true)).toBe(relaxed);
  });

  // `localhost.` (the fully qualified form) is the same host as `localhost`.
  it('refuses localhost written with its trailing root dot', () => {
    expect(checkEndpointUrl('https://localhost./', false)).toBe('private_address');
  });
});
