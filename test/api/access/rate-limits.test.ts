import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../../../src/http/app.ts';
import { loadConfig } from '../../../src/lib/config.ts';
import { createApiKey } from '../../../src/services/access/api-keys.ts';
import { openStore, type Store } from '../../../src/store/database.ts';
import { createTestApp, PUBLIC_URL, TEST_SECRET, type TestApp } from '../../support/app.ts';
import { runCli } from '../../support/cli.ts';
import { dialect } from '../../support/store.ts';

const OFF = {
  VOUCH_RATE_LIMIT_KEY: 'off',
  VOUCH_RATE_LIMIT_IP: 'off',
  VOUCH_RATE_LIMIT_AUTH_FAILURES: 'off',
  VOUCH_RATE_LIMIT_LINKS: 'off',
};

let apps: TestApp[] = [];
const cleanups: (() => Promise<void>)[] = [];

async function appWith(env: Record<string, string>): Promise<TestApp> {
  const t = await createTestApp({ ...OFF, ...env });
  apps.push(t);
  return t;
}

afterEach(async () => {
  vi.useRealTimers();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await Promise.all(apps.map((t) => t.close()));
  apps = [];
});

/**
 * The limiters read the clock through Date.now, on both stores: a window is made to pass by
 * moving that clock (only Date is faked; timers run as usual).
 */
function freezeClock(): { advance(ms: number): void } {
  vi.useFakeTimers({ toFake: ['Date'] });
  return { advance: (ms) => vi.setSystemTime(Date.now() + ms) };
}

function get(app: FastifyInstance, url: string, headers: Record<string, string> = {}, from = '127.0.0.1') {
  return app.inject({ method: 'GET', url, headers, remoteAddress: from });
}

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

function expectLimited(
  res: { statusCode: number; headers: Record<string, unknown>; body: string },
  scope: RegExp,
) {
  expect(res.statusCode).toBe(429);
  expect(res.headers['retry-after']).toBe('1');
  expect(res.headers['ratelimit-remaining']).toBe('0');
  const body = JSON.parse(res.body);
  expect(body.error).toMatchObject({ type: 'rate_limited', code: 'rate_limited' });
  expect(body.error.message).toMatch(scope);
}

async function aCode(t: TestApp): Promise<string> {
  const program = await t.api('POST', '/v1/programs', {
    name: 'Limits',
    landing_url: 'https://shop.example.com/welcome',
    rewards: { referrer: { amount: 1000, currency: 'USD' } },
  });
  const participant = await t.api('POST', '/v1/participants', {
    program_id: program.body.id,
    external_id: 'ref-1',
    email: 'ref@example.com',
  });
  return participant.body.referral_code;
}

describe('rate limit per API key', () => {
  it('answers the limit, then 429 with Retry-After, the error shape and RateLimit headers', async () => {
    const t = await appWith({ VOUCH_RATE_LIMIT_KEY: '3/1s' });
    freezeClock();
    for (const remaining of ['2', '1', '0']) {
      const res = await get(t.app, '/v1/programs', bearer(t.key));
      expect(res.statusCode).toBe(200);
      expect(res.headers['ratelimit-limit']).toBe('3');
      expect(res.headers['ratelimit-remaining']).toBe(remaining);
      expect(res.headers['ratelimit-reset']).toBe('1');
    }
    const refused = await get(t.app, '/v1/programs', bearer(t.key));
    expectLimited(refused, /API key: the limit is 3 per 1 s/);
    // Another key has its own count.
    const { plaintext: other } = await t.store.transaction((trx) => createApiKey(trx, 'other', new Date()));
    expect((await get(t.app, '/v1/programs', bearer(other))).statusCode).toBe(200);
  });

  it('counts again once the window has passed, not a millisecond before', async () => {
    const t = await appWith({ VOUCH_RATE_LIMIT_KEY: '2/1s' });
    const clock = freezeClock();
    await get(t.app, '/v1/programs', bearer(t.key));
    await get(t.app, '/v1/programs', bearer(t.key));
    const refused = await get(t.app, '/v1/programs', bearer(t.key));
    expect(refused.statusCode).toBe(429);
    clock.advance(Number(refused.headers['retry-after']) * 1000 - 1);
    expect((await get(t.app, '/v1/programs', bearer(t.key))).statusCode).toBe(429);
    clock.advance(1);
    const again = await get(t.app, '/v1/programs', bearer(t.key));
    expect(again.statusCode).toBe(200);
    expect(again.headers['ratelimit-remaining']).toBe('1');
  });
});

describe('rate limit per client address on /v1', () => {
  it('counts every request of the address before its key is checked', async () => {
    const t = await appWith({ VOUCH_RATE_LIMIT_IP: '3/1s' });
    const clock = freezeClock();
    expect((await get(t.app, '/v1/programs', bearer(t.key), '203.0.113.7')).statusCode).toBe(200);
    expect((await get(t.app, '/v1/programs', bearer('sk_wrong'), '203.0.113.7')).statusCode).toBe(401);
    expect((await get(t.app, '/v1/programs', {}, '203.0.113.7')).statusCode).toBe(401);
    expectLimited(
      await get(t.app, '/v1/programs', bearer(t.key), '203.0.113.7'),
      /client address: the limit is 3 per 1 s/,
    );
    expect((await get(t.app, '/v1/programs', bearer(t.key), '203.0.113.8')).statusCode).toBe(200);
    clock.advance(1000);
    expect((await get(t.app, '/v1/programs', bearer(t.key), '203.0.113.7')).statusCode).toBe(200);
  });

  it('counts an IPv6 client by its /64, so changing the last half of the address does not reset it', async () => {
    const t = await appWith({ VOUCH_RATE_LIMIT_IP: '3/1s' });
    freezeClock();
    for (const host of ['1', 'b:c:d', 'ffff']) {
      const res = await get(t.app, '/v1/programs', bearer(t.key), `2001:db8:0:7::${host}`);
      expect(res.statusCode).toBe(200);
    }
    expectLimited(
      await get(t.app, '/v1/programs', bearer(t.key), '2001:db8:0:7:1234:5678:9abc:def0'),
      /client address/,
    );
    expect((await get(t.app, '/v1/programs', bearer(t.key), '2001:db8:0:8::1')).statusCode).toBe(200);
  });
});

describe('failed authentications per address', () => {
  it('refuses the address, even with a valid key, after the limit of 401s, until the window ends', async () => {
    const t = await appWith({ VOUCH_RATE_LIMIT_AUTH_FAILURES: '3/1m' });
    const clock = freezeClock();
    const from = '198.51.100.20';
    // Successes do not count.
    expect((await get(t.app, '/v1/programs', bearer(t.key), from)).statusCode).toBe(200);
    for (const headers of [bearer('sk_guess1'), bearer('sk_guess2'), {}]) {
      expect((await get(t.app, '/v1/programs', headers, from)).statusCode).toBe(401);
    }
    const refused = await get(t.app, '/v1/programs', bearer(t.key), from);
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['retry-after']).toBe('60');
    expect(JSON.parse(refused.body).error.message).toMatch(
      /failed authentications from this address: the limit is 3 per 60 s/,
    );
    // A refused request is not one more failure: the window still ends 60 s after the first.
    expect((await get(t.app, '/v1/programs', bearer(t.key), '198.51.100.21')).statusCode).toBe(200);
    clock.advance(59_999);
    expect((await get(t.app, '/v1/programs', bearer(t.key), from)).statusCode).toBe(429);
    clock.advance(1);
    expect((await get(t.app, '/v1/programs', bearer(t.key), from)).statusCode).toBe(200);
  });
});

describe('rate limit on referral links', () => {
  it('answers a small HTML page with Retry-After past the limit per address', async () => {
    const t = await appWith({ VOUCH_RATE_LIMIT_LINKS: '3/1s' });
    const code = await aCode(t);
    const clock = freezeClock();
    for (const url of [`/r/${code}`, '/r/NOSUCHCODE', `/r/${code}?utm_source=x`]) {
      expect([302, 404]).toContain((await get(t.app, url, {}, '192.0.2.1')).statusCode);
    }
    const refused = await get(t.app, `/r/${code}`, {}, '192.0.2.1');
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.headers['ratelimit-limit']).toBe('3');
    expect(refused.headers['set-cookie']).toBeUndefined();
    expect(refused.body).toContain('Too many requests');
    expect((await get(t.app, `/r/${code}`, {}, '192.0.2.2')).statusCode).toBe(302);
    clock.advance(1000);
    expect((await get(t.app, `/r/${code}`, {}, '192.0.2.1')).statusCode).toBe(302);
  });

  it('limits the fast path that answers links before Fastify', async () => {
    const t = await appWith({ VOUCH_RATE_LIMIT_LINKS: '2/1m' });
    const code = await aCode(t);
    const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const follow = () => fetch(`${address}/r/${code}`, { redirect: 'manual' });
    expect((await follow()).status).toBe(302);
    expect((await follow()).status).toBe(302);
    const refused = await follow();
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toMatch(/^(59|60)$/);
    expect(await refused.text()).toContain('Too many requests');
  });
});

describe('configuration', () => {
  it('off turns a limit off: no count, no RateLimit headers', async () => {
    const t = await appWith({ VOUCH_RATE_LIMIT_IP: '1000/1s' });
    const code = await aCode(t);
    for (let i = 0; i < 12; i++) {
      const res = await get(t.app, '/v1/programs', bearer(t.key));
      expect(res.statusCode).toBe(200);
      expect(res.headers['ratelimit-limit']).toBeUndefined();
      expect((await get(t.app, '/v1/programs', bearer('sk_wrong'))).statusCode).toBe(401);
      expect((await get(t.app, `/r/${code}`)).statusCode).toBe(302);
    }
  });

  it('refuses a bad value at start-up with a message naming the variable', async () => {
    const result = await runCli(['serve'], {
      DATABASE_URL: 'sqlite::memory:',
      VOUCH_RATE_LIMIT_LINKS: '100',
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/VOUCH_RATE_LIMIT_LINKS: must be requests per window such as 100\/10s/);
  });
});

describe('the API document', () => {
  it('documents 429 on every /v1 operation and on referral links', async () => {
    const t = await appWith({});
    const document = JSON.parse((await t.app.inject({ method: 'GET', url: '/openapi.json' })).body);
    const operations = Object.entries(document.paths as Record<string, Record<string, any>>).flatMap(
      ([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method, op })),
    );
    const limited = operations.filter(({ path }) => path.startsWith('/v1/') || path.startsWith('/r/'));
    expect(limited.length).toBeGreaterThan(30);
    for (const { path, method, op } of limited) {
      expect(op.responses['429'], `${method} ${path}`).toBeDefined();
    }
    const link = document.paths['/r/{code}'].get.responses['429'];
    expect(Object.keys(link.content)).toEqual(['text/html']);
  });
});

describe.runIf(dialect === 'postgres')('on PostgreSQL', () => {
  async function secondApp(t: TestApp, env: Record<string, string>, logStream?: Writable) {
    const store: Store = await openStore(t.store.url);
    const config = loadConfig({ VOUCH_PUBLIC_URL: PUBLIC_URL, LOG_LEVEL: 'warn', ...OFF, ...env });
    const app = await buildApp({
      store,
      config,
      secret: TEST_SECRET,
      logger: logStream !== undefined,
      ...(logStream ? { logStream } : {}),
    });
    cleanups.push(async () => {
      await app.close();
      await store.close();
    });
    return app;
  }

  it('two processes sharing the database share the count', async () => {
    const env = { VOUCH_RATE_LIMIT_KEY: '3/1s', VOUCH_RATE_LIMIT_LINKS: '2/1s' };
    const t = await appWith(env);
    const code = await aCode(t);
    const other = await secondApp(t, env);
    // A key of its own: the one of t.api has counted the requests that made the code.
    const { plaintext: key } = await t.store.transaction((trx) => createApiKey(trx, 'shared', new Date()));
    freezeClock();
    expect((await get(t.app, '/v1/programs', bearer(key))).statusCode).toBe(200);
    expect((await get(other, '/v1/programs', bearer(key))).statusCode).toBe(200);
    expect((await get(t.app, '/v1/programs', bearer(key))).statusCode).toBe(200);
    expectLimited(await get(other, '/v1/programs', bearer(key)), /API key/);
    expect((await get(other, `/r/${code}`)).statusCode).toBe(302);
    expect((await get(t.app, `/r/${code}`)).statusCode).toBe(302);
    expect((await get(other, `/r/${code}`)).statusCode).toBe(429);
  });

  it('keeps addresses as keyed hashes, never as sent', async () => {
    const t = await appWith({ VOUCH_RATE_LIMIT_IP: '10/1s' });
    await get(t.app, '/v1/programs', bearer(t.key), '203.0.113.99');
    const { rows } = await sql<{ key: string }>`select key from rate_limits`.execute(t.store.db);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.key).toMatch(/^ip:[\w-]{22}$/);
  });

  it('lets requests through, with one log line, when its table cannot be reached', async () => {
    const t = await appWith({});
    const lines: string[] = [];
    const logStream = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const env = { VOUCH_RATE_LIMIT_KEY: '1/1s', VOUCH_RATE_LIMIT_IP: '1/1s', VOUCH_RATE_LIMIT_LINKS: '1/1s' };
    const app = await secondApp(t, env, logStream);
    const code = await aCode(t);
    await sql`drop table rate_limits`.execute(t.store.db);
    for (let i = 0; i < 3; i++) {
      expect((await get(app, '/v1/programs', bearer(t.key))).statusCode).toBe(200);
      expect((await get(app, `/r/${code}`)).statusCode).toBe(302);
    }
    const failures = lines.filter((line) => line.includes('rate limiter store failed'));
    expect(failures).toHaveLength(1);
    expect(failures[0]).toContain('rate_limits');
  });
});
