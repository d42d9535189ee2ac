import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/http/app.ts';
import { loadConfig } from '../../src/lib/config.ts';
import { createApiKey } from '../../src/services/access/api-keys.ts';
import { openStore, type Store } from '../../src/store/database.ts';
import { createTestApp, PUBLIC_URL, TEST_SECRET, type TestApp } from '../support/app.ts';
import { type Server, startServer } from '../support/cli.ts';
import { event, makeParticipant, makeProgram, programBody, unique } from '../support/factories.ts';
import { createTestStore, dialect, type TestStore } from '../support/store.ts';

type Table = 'events' | 'referrals' | 'rewards' | 'participants' | 'referral_codes' | 'ledger_entries';

async function count(store: Store, table: Table, where: Record<string, string> = {}): Promise<number> {
  let query = store.db.selectFrom(table).select((eb) => eb.fn.countAll<number | string>().as('n'));
  for (const [column, value] of Object.entries(where)) {
    query = query.where(column as any, '=', value);
  }
  return Number((await query.executeTakeFirstOrThrow()).n);
}

type Reply = { status: number; body: any };
type Send = (body: unknown) => Promise<Reply>;

const injector =
  (app: FastifyInstance, key: string): Send =>
  async (body) => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: { authorization: `Bearer ${key}` },
      payload: body as object,
    });
    return { status: res.statusCode, body: res.json() };
  };

const poster =
  (server: Server, key: string): Send =>
  async (body) => {
    const res = await fetch(`${server.url}/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  };

/** Sends every body at once, spread over the senders in turn. */
function race(senders: Send[], bodies: unknown[]): Promise<Reply[]> {
  return Promise.all(bodies.map((body, i) => (senders[i % senders.length] as Send)(body)));
}

const times = <T>(n: number, make: (i: number) => T) => Array.from({ length: n }, (_, i) => make(i));

describe('concurrent duplicates never double', () => {
  let t: TestApp;
  let programId: string;
  beforeAll(async () => {
    t = await createTestApp();
    programId = (await makeProgram(t)).id;
  });
  afterAll(() => t.close());

  /** A referrer and a friend who signed up through the referrer's code. */
  async function referredFriend() {
    const referrer = await makeParticipant(t, programId);
    const friend = unique('friend');
    const signup = await t.api(
      'POST',
      '/v1/events',
      event('signup', friend, { referral: { code: referrer.referral_code } }),
    );
    expect(signup.body.result.outcome).toBe('referral_created');
    return { friend, referralId: signup.body.result.referral_ids[0] as string };
  }

  it('records the same sign-up sent 10 times at once as one event and one referral', async () => {
    const referrer = await makeParticipant(t, programId);
    const signup = event('signup', unique('friend'), { referral: { code: referrer.referral_code } });

    const replies = await race(
      [injector(t.app, t.key)],
      times(10, () => signup),
    );

    expect(replies.map((r) => r.status).sort()).toEqual([...times(9, () => 200), 201]);
    expect(new Set(replies.map((r) => r.body.id)).size).toBe(1);
    expect(replies.every((r) => r.body.result.outcome === 'referral_created')).toBe(true);
    expect(await count(t.store, 'events', { external_id: signup.external_id })).toBe(1);
    expect(await count(t.store, 'referrals', { referrer_id: referrer.id })).toBe(1);
  });

  it('rewards the same purchase sent 10 times at once exactly twice', async () => {
    const { friend, referralId } = await referredFriend();
    const purchase = event('purchase', friend, { amount: 5000, currency: 'USD' });

    const replies = await race(
      [injector(t.app, t.key)],
      times(10, () => purchase),
    );

    expect(replies.map((r) => r.status).sort()).toEqual([...times(9, () => 200), 201]);
    expect(new Set(replies.map((r) => r.body.id)).size).toBe(1);
    expect(await count(t.store, 'events', { external_id: purchase.external_id })).toBe(1);
    expect(await count(t.store, 'rewards', { referral_id: referralId })).toBe(2);
  });

  it('qualifies a referral once when different purchases of the referee arrive at once', async () => {
    const { friend, referralId } = await referredFriend();

    const replies = await race(
      [injector(t.app, t.key)],
      times(10, () => event('purchase', friend, { amount: 5000, currency: 'USD' })),
    );

    expect(replies.every((r) => r.status === 201)).toBe(true);
    const outcomes = replies.map((r) => r.body.result.outcome);
    expect(outcomes.filter((o) => o === 'referral_qualified')).toHaveLength(1);
    expect(await count(t.store, 'rewards', { referral_id: referralId })).toBe(2);
    const ledger = await t.store.db
      .selectFrom('ledger_entries as l')
      .innerJoin('rewards as r', 'r.id', 'l.reward_id')
      .select('l.id')
      .where('r.referral_id', '=', referralId)
      .execute();
    // Two rewards, each one balanced posting of two entries.
    expect(ledger).toHaveLength(4);
  });

  it('enrols the same external_id sent 10 times at once as one participant', async () => {
    const externalId = unique('user');
    const body = { program_id: programId, external_id: externalId };

    const replies = await Promise.all(times(10, () => t.api('POST', '/v1/participants', body)));

    expect(replies.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
    expect(new Set(replies.map((r) => r.body.id)).size).toBe(1);
    expect(new Set(replies.map((r) => r.body.referral_code)).size).toBe(1);
    expect(await count(t.store, 'participants', { external_id: externalId })).toBe(1);
    expect(await count(t.store, 'referral_codes', { participant_id: replies[0]?.body.id })).toBe(1);
  });
});

/**
 * One sign-up and then purchases of the same friend, sent at once through every sender: the same
 * sign-up ten times, the same purchase six times and four other purchases.
 */
async function expectOneReferralAndTwoRewards(
  senders: Send[],
  store: Store,
  referrer: { id: string; referral_code: string },
) {
  const friend = unique('friend');
  const signup = event('signup', friend, { referral: { code: referrer.referral_code } });

  const signups = await race(
    senders,
    times(10, () => signup),
  );

  expect(signups.map((r) => r.status).sort()).toEqual([...times(9, () => 200), 201]);
  expect(new Set(signups.map((r) => r.body.id)).size).toBe(1);
  expect(await count(store, 'events', { external_id: signup.external_id })).toBe(1);
  expect(await count(store, 'participants', { external_id: friend })).toBe(1);
  const referralIds = signups[0]?.body.result.referral_ids as string[];
  expect(referralIds).toHaveLength(1);
  const referralId = referralIds[0] as string;
  expect(await count(store, 'referrals', { referrer_id: referrer.id })).toBe(1);

  const purchase = event('purchase', friend, { amount: 5000, currency: 'USD' });
  const purchases = await race(senders, [
    ...times(6, () => purchase),
    ...times(4, () => event('purchase', friend, { amount: 7000, currency: 'USD' })),
  ]);

  expect(purchases.map((r) => r.status).filter((s) => s !== 200 && s !== 201)).toEqual([]);
  expect(new Set(purchases.slice(0, 6).map((r) => r.body.id)).size).toBe(1);
  expect(await count(store, 'events', { external_id: purchase.external_id })).toBe(1);
  expect(await count(store, 'rewards', { referral_id: referralId })).toBe(2);
  const referral = await store.db
    .selectFrom('referrals')
    .select(['status', 'qualifying_event_id'])
    .where('id', '=', referralId)
    .executeTakeFirstOrThrow();
  expect(referral.status).toBe('qualified');
  const winners = purchases
    .filter((r) => r.body.result.outcome === 'referral_qualified')
    .map((r) => r.body.id);
  expect(new Set(winners)).toEqual(new Set([referral.qualifying_event_id]));
}

// Two apps with pools of their own on one database, as behind a load balancer. Not on SQLite: one
// process there would hold two synchronous connections, and a writer waiting for the other blocks
// the very thread that would let it finish. Separate processes, below, cover SQLite.
describe.runIf(dialect === 'postgres')('two apps with separate pools racing', () => {
  let t: TestApp;
  let other: { app: FastifyInstance; store: Store };
  beforeAll(async () => {
    t = await createTestApp();
    const store = await openStore(t.store.url);
    const app = await buildApp({
      store,
      config: loadConfig({ VOUCH_PUBLIC_URL: PUBLIC_URL, LOG_LEVEL: 'silent' }),
      secret: TEST_SECRET,
      logger: false,
    });
    other = { app, store };
  });
  afterAll(async () => {
    await other.app.close();
    await other.store.close();
    await t.close();
  });

  it('creates one referral and two rewards from the same sign-up and purchases sent to both', async () => {
    const program = await makeProgram(t);
    const referrer = await makeParticipant(t, program.id);
    const senders = [injector(t.app, t.key), injector(other.app, t.key)];
    await expectOneReferralAndTwoRewards(senders, t.store, referrer);
  });
});

describe('two server processes racing on one database', () => {
  let store: TestStore;
  let servers: Server[] = [];
  beforeAll(async () => {
    store = await createTestStore();
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.kill()));
    await store.drop();
  });

  it('creates one referral and two rewards from the same sign-up and purchases sent to both', async () => {
    const { plaintext: key } = await store.transaction((trx) => createApiKey(trx, 'race', new Date()));
    servers = await Promise.all([
      startServer({ DATABASE_URL: store.url }),
      startServer({ DATABASE_URL: store.url }),
    ]);
    const program = await fetch(`${servers[0]?.url}/v1/programs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(programBody()),
    }).then((r) => r.json() as Promise<{ id: string }>);
    // A few rounds, since a lost race shows only now and then.
    for (let round = 0; round < 3; round++) {
      const referrer = await fetch(`${servers[0]?.url}/v1/participants`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ program_id: program.id, external_id: unique('referrer') }),
      }).then((r) => r.json() as Promise<{ id: string; referral_code: string }>);
      await expectOneReferralAndTwoRewards(
        servers.map((s) => poster(s, key)),
        store,
        referrer,
      );
    }
    expect(await Promise.all(servers.map((s) => s.stop()))).toEqual([0, 0]);
    for (const server of servers) expect(server.stdout()).not.toMatch(/"level":50/);
  });
});
