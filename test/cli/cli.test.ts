import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/http/app.ts';
import { loadConfig } from '../../src/lib/config.ts';
import { PUBLIC_URL, TEST_SECRET } from '../support/app.ts';
import { runCli, SECRET_KEY } from '../support/cli.ts';
import { createTestStore, type TestStore } from '../support/store.ts';

async function countRows(store: TestStore, table: 'programs' | 'participants' | 'clicks' | 'events') {
  const row = await store.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function countEvents(store: TestStore, type: 'signup' | 'purchase') {
  const row = await store.db
    .selectFrom('events')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('type', '=', type)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

describe('vouch migrate', () => {
  let store: TestStore;
  beforeAll(async () => {
    store = await createTestStore({ migrate: false });
  });
  afterAll(() => store.drop());

  it('creates the schema on an empty database and can run again', async () => {
    const first = await runCli(['migrate'], { DATABASE_URL: store.url });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/is up to date/);
    expect(await countRows(store, 'programs')).toBe(0);

    const again = await runCli(['migrate'], { DATABASE_URL: store.url });
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
  });
});

describe('vouch keys', () => {
  let store: TestStore;
  beforeAll(async () => {
    store = await createTestStore();
  });
  afterAll(() => store.drop());

  it('creates a key shown once, lists it without its secret, and revokes it for the API', async () => {
    const created = await runCli(['keys', 'create', '--name', 'ci'], { DATABASE_URL: store.url });
    expect(created.code).toBe(0);
    const secrets = created.stdout.match(SECRET_KEY) ?? [];
    expect(secrets).toHaveLength(1);
    const secret = secrets[0] as string;
    const id = /\b(key_\w+)/.exec(created.stdout)?.[1];
    expect(id).toBeDefined();

    const listed = await runCli(['keys', 'list'], { DATABASE_URL: store.url });
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(id);
    expect(listed.stdout).toContain(secret.slice(0, 7));
    expect(listed.stdout).toContain('ci');
    expect(listed.stdout).toContain('active');
    expect(listed.stdout).not.toContain(secret);
    expect(listed.stdout.match(SECRET_KEY)).toBeNull();

    const app = await buildApp({
      store,
      config: loadConfig({ VOUCH_PUBLIC_URL: PUBLIC_URL }),
      secret: TEST_SECRET,
      logger: false,
    });
    try {
      const request = {
        method: 'GET',
        url: '/v1/programs',
        headers: { authorization: `Bearer ${secret}` },
      } as const;
      expect((await app.inject(request)).statusCode).toBe(200);

      const revoked = await runCli(['keys', 'revoke', id as string], { DATABASE_URL: store.url });
      expect(revoked.code).toBe(0);
      expect(revoked.stdout).toContain(`Revoked ${id}`);

      const refused = await app.inject(request);
      expect(refused.statusCode).toBe(401);
      expect(refused.json().error.code).toBe('invalid_api_key');
    } finally {
      await app.close();
    }
  });

  it('refuses to revoke an unknown key with a clear message', async () => {
    const result = await runCli(['keys', 'revoke', 'key_doesnotexist'], { DATABASE_URL: store.url });
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/no active API key with id 'key_doesnotexist'/i);
    expect(result.stderr).not.toMatch(/\bat .*\.ts:\d+/);
  });
});

describe('vouch seed-demo', () => {
  const stores: TestStore[] = [];
  afterAll(() => Promise.all(stores.map((s) => s.drop())));

  async function seed() {
    const store = await createTestStore({ migrate: false });
    stores.push(store);
    const result = await runCli(['seed-demo', '--participants', '20', '--seed', '7'], {
      DATABASE_URL: store.url,
    });
    expect(result.code, result.stderr).toBe(0);
    const counts = {
      programs: await countRows(store, 'programs'),
      participants: await countRows(store, 'participants'),
      clicks: await countRows(store, 'clicks'),
      signups: await countEvents(store, 'signup'),
      purchases: await countEvents(store, 'purchase'),
    };
    return { stdout: result.stdout, counts };
  }

  it('creates one program with 20 referrers and their clicks, sign-ups and purchases, the same for the same seed', async () => {
    const first = await seed();
    const { programs, clicks, signups, purchases, participants } = first.counts;
    expect(programs).toBe(1);
    expect(clicks).toBeGreaterThan(0);
    expect(signups).toBeGreaterThan(0);
    expect(purchases).toBeGreaterThan(0);
    // Every referred sign-up enrols the friend too.
    expect(participants).toBe(20 + signups);
    expect(first.stdout).toContain(
      `20 referrers, ${clicks} clicks, ${signups} referred sign-ups, ${purchases} purchases`,
    );

    const second = await seed();
    expect(second.counts).toEqual(first.counts);
  });

  it('finds the demo of the same seed when run again, and adds another for another seed', async () => {
    const store = await createTestStore({ migrate: false });
    stores.push(store);
    const run = (seed: string) =>
      runCli(['seed-demo', '--participants', '10', '--seed', seed], { DATABASE_URL: store.url });
    const first = await run('3');
    expect(first.code, first.stderr).toBe(0);
    const programId = /Seeded program (prg_\w+)/.exec(first.stdout)?.[1];
    const counts = {
      participants: await countRows(store, 'participants'),
      events: await countRows(store, 'events'),
    };

    const again = await run('3');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain(
      `Found the demo of seed 3 already: program ${programId}. Nothing was added`,
    );
    expect(await countRows(store, 'programs')).toBe(1);
    expect({
      participants: await countRows(store, 'participants'),
      events: await countRows(store, 'events'),
    }).toEqual(counts);

    const other = await run('4');
    expect(other.code, other.stderr).toBe(0);
    expect(await countRows(store, 'programs')).toBe(2);
    // The second demo's friends are its own, not replays of the first one's sign-ups.
    const signups = (out: string) => Number(/(\d+) referred sign-ups/.exec(out)?.[1]);
    expect(await countEvents(store, 'signup')).toBe(signups(first.stdout) + signups(other.stdout));
  });

  it('says what exists in --help, and no dashboard', async () => {
    const help = await runCli(['--help'], {});
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/serve\s+run migrations, then serve the HTTP API and referral/);
    expect(help.stdout).not.toMatch(/dashboard/i);
  });
});

describe('configuration errors', () => {
  let store: TestStore;
  beforeAll(async () => {
    store = await createTestStore();
  });
  afterAll(() => store.drop());

  it.each([
    ['PORT', 'abc'],
    ['DATABASE_URL', 'mysql://x'],
    ['VOUCH_PUBLIC_URL', 'notaurl'],
    ['VOUCH_SECRET', 'short'],
  ])('%s=%s stops with one line naming the variable', async (variable, value) => {
    const result = await runCli(['migrate'], { DATABASE_URL: store.url, [variable]: value });
    expect(result.code).not.toBe(0);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(variable);
    expect(result.stdout).toBe('');
  });
});
