import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECRET_KEY, type Server, startServer } from '../support/cli.ts';
import { programBody, unique } from '../support/factories.ts';
import { createTestStore, type TestStore } from '../support/store.ts';

/** A JSON client for a server over its real socket. */
function client(server: Server, key: string) {
  return async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as any };
  };
}

async function countClicks(store: TestStore, participantId: string): Promise<number> {
  const row = await store.db
    .selectFrom('clicks')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('participant_id', '=', participantId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

describe('vouch serve', () => {
  let store: TestStore;
  let firstKey: string;
  let server: Server | undefined;
  beforeAll(async () => {
    store = await createTestStore({ migrate: false });
  });
  afterAll(async () => {
    await server?.kill();
    await store.drop();
  });

  it('on the first start of an empty database prints one secret key and logs where it listens', async () => {
    const first = await startServer({ DATABASE_URL: store.url });
    try {
      expect(first.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const keys = first.stdout().match(SECRET_KEY) ?? [];
      expect(keys).toHaveLength(1);
      firstKey = keys[0] as string;
      expect(first.stderr()).not.toContain(firstKey);

      const authed = await client(first, firstKey)('GET', '/v1/programs');
      expect(authed.status).toBe(200);
    } finally {
      expect(await first.stop()).toBe(0);
    }
    // Still exactly once: shutting down does not print it again.
    expect(first.stdout().match(SECRET_KEY)).toHaveLength(1);
  });

  it('prints no key on a second start of the same database', async () => {
    server = await startServer({ DATABASE_URL: store.url });
    expect(server.stdout().match(SECRET_KEY)).toBeNull();
    expect(server.stderr().match(SECRET_KEY)).toBeNull();
    expect((await client(server, firstKey)('GET', '/v1/programs')).status).toBe(200);
  });

  it('runs the referral loop over its real port', async () => {
    if (!server) throw new Error('needs the server of the previous test');
    const api = client(server, firstKey);
    const program = await api('POST', '/v1/programs', programBody());
    expect(program.status).toBe(201);
    const referrer = await api('POST', '/v1/participants', {
      program_id: program.body.id,
      external_id: unique('referrer'),
    });
    expect(referrer.status).toBe(201);

    const link = await fetch(`${server.url}/r/${referrer.body.referral_code}`, { redirect: 'manual' });
    expect(link.status).toBe(302);
    expect(link.headers.get('set-cookie')).toMatch(/^vouch_ref=/);
    const location = new URL(link.headers.get('location') ?? '');
    expect(location.origin + location.pathname).toBe('https://shop.example.com/welcome');
    const clickId = location.searchParams.get('vouch_click');
    expect(clickId).toMatch(/^clk_/);

    const friend = unique('friend');
    const signup = await api('POST', '/v1/events', {
      type: 'signup',
      external_id: unique('signup'),
      customer: { external_id: friend },
      referral: { click_id: clickId },
    });
    expect(signup.status).toBe(201);
    expect(signup.body.result.outcome).toBe('referral_created');
    const [referralId] = signup.body.result.referral_ids;

    const purchase = await api('POST', '/v1/events', {
      type: 'purchase',
      external_id: unique('order'),
      customer: { external_id: friend },
      amount: 4200,
      currency: 'USD',
    });
    expect(purchase.status).toBe(201);
    expect(purchase.body.result.outcome).toBe('referral_qualified');
    expect(purchase.body.result.reward_ids).toHaveLength(2);

    const referral = await api('GET', `/v1/referrals/${referralId}`);
    expect(referral.body).toMatchObject({
      status: 'qualified',
      attribution_method: 'click',
      click_id: clickId,
    });
    const credited = [{ currency: 'USD', pending: 1000, available: 0, processing: 0, paid: 0 }];
    expect((await api('GET', `/v1/participants/${referrer.body.id}`)).body.balances).toEqual(credited);
    expect((await api('GET', `/v1/participants/${referral.body.referee_id}`)).body.balances).toEqual(
      credited,
    );
  });

  it('writes every click it redirected before exiting on SIGTERM', async () => {
    if (!server) throw new Error('needs the server of the previous test');
    const api = client(server, firstKey);
    const [program] = (await api('GET', '/v1/programs')).body.data;
    const referrer = await api('POST', '/v1/participants', {
      program_id: program.id,
      external_id: unique('busy-referrer'),
    });
    const url = `${server.url}/r/${referrer.body.referral_code}`;

    const N = 200;
    const statuses = await Promise.all(
      Array.from({ length: N }, async () => {
        const res = await fetch(url, { redirect: 'manual' });
        await res.arrayBuffer();
        return res.status;
      }),
    );
    // At once: the last clicks are still in the recorder's buffer, not yet in the database.
    const exit = server.stop('SIGTERM');
    expect(statuses.filter((s) => s === 302)).toHaveLength(N);
    expect(await exit).toBe(0);
    expect(await countClicks(store, referrer.body.id)).toBe(N);
  });
});

describe('vouch serve with VOUCH_BOOTSTRAP_KEY', () => {
  let store: TestStore;
  beforeAll(async () => {
    store = await createTestStore({ migrate: false });
  });
  afterAll(() => store.drop());

  it('adopts the configured key as the first key and never prints it', async () => {
    const key = `sk_${randomBytes(24).toString('hex')}`;
    const server = await startServer({ DATABASE_URL: store.url, VOUCH_BOOTSTRAP_KEY: key });
    try {
      expect(server.stdout()).not.toContain(key);
      expect(server.stdout().match(SECRET_KEY)).toBeNull();
      expect(server.stdout()).toContain('adopted VOUCH_BOOTSTRAP_KEY');
      expect((await client(server, key)('GET', '/v1/programs')).status).toBe(200);
      const other = await client(server, `sk_${randomBytes(24).toString('hex')}`)('GET', '/v1/programs');
      expect(other.status).toBe(401);
    } finally {
      expect(await server.stop()).toBe(0);
    }
    expect(server.stdout()).not.toContain(key);
    expect(server.stderr()).not.toContain(key);
    const keys = await store.db.selectFrom('api_keys').select(['name', 'revoked_at']).execute();
    expect(keys).toEqual([{ name: 'bootstrap', revoked_at: null }]);
  });
});

describe('vouch serve killed with SIGKILL', () => {
  let store: TestStore;
  beforeAll(async () => {
    store = await createTestStore({ migrate: false });
  });
  afterAll(() => store.drop());

  // Durable is the default on SQLite only; PostgreSQL defaults to buffered, so the test names it.
  it('has committed the click of every 302 it sent with VOUCH_CLICK_WRITES=durable', async () => {
    const key = `sk_${randomBytes(24).toString('hex')}`;
    const server = await startServer({
      DATABASE_URL: store.url,
      VOUCH_BOOTSTRAP_KEY: key,
      VOUCH_CLICK_WRITES: 'durable',
    });
    try {
      const api = client(server, key);
      const program = await api('POST', '/v1/programs', programBody());
      const referrer = await api('POST', '/v1/participants', {
        program_id: program.body.id,
        external_id: unique('referrer'),
      });
      const url = `${server.url}/r/${referrer.body.referral_code}`;
      const clickIds = await Promise.all(
        Array.from({ length: 200 }, async () => {
          const res = await fetch(url, { redirect: 'manual' });
          await res.arrayBuffer();
          expect(res.status).toBe(302);
          return new URL(res.headers.get('location') ?? '').searchParams.get('vouch_click');
        }),
      );
      // No clean shutdown: whatever a buffer held would be gone.
      await server.kill();
      const stored = await store.db.selectFrom('clicks').select('id').execute();
      expect(new Set(stored.map((row) => row.id))).toEqual(new Set(clickIds));
    } finally {
      await server.kill();
    }
  });
});
