import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';
import { createTestStore, type TestStore } from '../support/store.ts';

describe('vouch ledger verify', () => {
  let store: TestStore;
  const verify = () => runCli(['ledger', 'verify'], { DATABASE_URL: store.url });

  beforeAll(async () => {
    store = await createTestStore({ migrate: false });
    const seeded = await runCli(['seed-demo', '--participants', '20', '--seed', '3'], {
      DATABASE_URL: store.url,
    });
    expect(seeded.code, seeded.stderr).toBe(0);
  });
  afterAll(() => store.drop());

  it('passes a ledger written by the engine, and says what it checked', async () => {
    const rewards = await store.db.selectFrom('rewards').select('id').execute();

    const result = await verify();

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(rewards.length).toBeGreaterThan(0);
    expect(result.stdout).toContain(
      `${rewards.length} postings, ${2 * rewards.length} entries, ${rewards.length} rewards; every invariant holds`,
    );
  });

  it('exits 1 and names each break: an unbalanced posting, a reward its entries disagree with, an unknown reward', async () => {
    const entry = await store.db
      .selectFrom('ledger_entries')
      .selectAll()
      .where('account', '=', 'participant_pending')
      .orderBy('id')
      .executeTakeFirstOrThrow();
    // One entry written twice: its posting no longer sums to zero, and its reward is held twice.
    await store.db
      .insertInto('ledger_entries')
      .values({ ...entry, id: `${entry.id}x` })
      .execute();
    await store.db
      .insertInto('ledger_entries')
      .values([
        { ...entry, id: `${entry.id}y`, posting_id: 'pst_orphan', reward_id: 'rwd_missing', amount: 5 },
        { ...entry, id: `${entry.id}z`, posting_id: 'pst_orphan', reward_id: 'rwd_missing', amount: -5 },
      ])
      .execute();

    const result = await verify();

    expect(result.code).toBe(1);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(/^Ledger verification failed: 3 problems/);
    expect(lines).toContain(
      `  unbalanced_posting ${entry.posting_id}: entries sum to ${entry.amount} ${entry.currency}, not 0`,
    );
    expect(
      lines.some((l) => l.startsWith(`  reward_mismatch ${entry.reward_id}: participant_pending holds`)),
    ).toBe(true);
    expect(lines).toContain('  unknown_reward rwd_missing: ledger entries name a reward that does not exist');
  });
});
