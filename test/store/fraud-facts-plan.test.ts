// The fraud measurements run on every attributed sign-up: each window must be a range of an index,
// never a scan of the referrals, on both dialects. PostgreSQL is asked with sequential scans off,
// since on a near-empty table it would rightly prefer one.
import { type CompiledQuery, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Executor } from '../../src/store/executor.ts';
import { measureSignup, refereesNear } from '../../src/store/repositories/fraud-facts.ts';
import { createTestStore, dialect, type TestStore } from '../support/store.ts';

let store: TestStore;
beforeAll(async () => {
  store = await createTestStore();
});
afterAll(() => store.drop());

/** The plans of the statements `run` sends, as text, one per statement. */
async function plansOf(run: (db: Executor) => Promise<unknown>): Promise<string[]> {
  const plans: string[] = [];
  await store.transaction(async (trx) => {
    if (dialect === 'postgres') await sql`set local enable_seqscan = off`.execute(trx);
    const explaining = new Proxy(trx, {
      get(target, prop) {
        if (prop !== 'executeQuery') {
          const value = Reflect.get(target, prop, target);
          return typeof value === 'function' ? value.bind(target) : value;
        }
        return async (query: CompiledQuery) => {
          const prefix = dialect === 'postgres' ? 'explain ' : 'explain query plan ';
          const result = await target.executeQuery({ ...query, sql: prefix + query.sql });
          plans.push(result.rows.map((row) => Object.values(row as object).join(' ')).join('\n'));
          return { rows: [] };
        };
      },
    });
    await run(explaining as Executor);
  });
  return plans;
}

const AT = '2031-01-10T12:00:00.000Z';
// Prepared statements go through Executor.executeQuery, where the proxy puts EXPLAIN in front.
const FROM = '2031-01-09T12:00:00.000Z';
const TO = '2031-01-11T12:00:00.000Z';

const fullScan =
  dialect === 'postgres'
    ? /Seq Scan on (referrals|ip_ua_sightings)/
    : /SCAN (referrals|ip_ua_sightings)\b(?! USING)/;

describe('fraud measurement plans', () => {
  it('measures a sign-up in one statement of index ranges', async () => {
    const plans = await plansOf((db) =>
      measureSignup(db, {
        programId: 'prg_1',
        referrerId: 'par_1',
        ipHash: 'ip',
        ipFrom: FROM,
        ipTo: TO,
        subnetHash: 'subnet',
        subnetFrom: FROM,
        subnetTo: TO,
        recentFrom: FROM,
        recentTo: TO,
        inactiveFrom: FROM,
        inactiveTo: TO,
        deviceHash: 'device',
        ipUaHash: 'ipua',
        ipUaFrom: FROM,
        ipUaTo: TO,
      }),
    );
    expect(plans).toHaveLength(1);
    const plan = plans[0] as string;
    expect(plan).not.toMatch(fullScan);
    for (const index of [
      'referrals_signup_ip_hash_at_idx',
      'referrals_signup_subnet_hash_at_idx',
      'referrals_referrer_signed_up_idx',
      'referrals_pending_referrer_signed_up_idx',
    ]) {
      expect(plan).toContain(index);
    }
    // SQLite names a primary key's index itself.
    expect(plan).toMatch(/ip_ua_sightings_pk|SEARCH ip_ua_sightings USING COVERING INDEX/);
  });

  it("reads the referrer's referees nearest a sign-up's time through an index", async () => {
    const plans = await plansOf((db) => refereesNear(db, 'par_1', new Date(AT)));
    expect(plans).toHaveLength(2);
    for (const plan of plans) {
      expect(plan).not.toMatch(fullScan);
      expect(plan).toContain('referrals_referrer_signed_up_idx');
    }
  });
});
