import type { Executor } from '../../src/store/executor.ts';
import type { Database } from '../../src/store/schema.ts';

/** Every table of the schema. Listing one twice or forgetting one fails the type check below. */
export const TABLES = [
  'settings',
  'api_keys',
  'programs',
  'participants',
  'referral_codes',
  'clicks',
  'events',
  'referrals',
  'rewards',
  'ledger_entries',
  'outbox',
  'idempotency_keys',
  'program_rules',
  'payouts',
  'payout_items',
  'audit_log',
  'participant_identities',
  'participant_links',
  'ip_ua_sightings',
  'invites',
  'fraud_signals',
  'reviews',
  'reward_pools',
  'reward_pool_codes',
  'fulfilment_tasks',
  'webhook_endpoints',
  'webhook_deliveries',
  'webhook_attempts',
  'portal_sign_ins',
  'portal_sessions',
  'shares',
  'emails',
  'email_opt_outs',
  'widget_tokens',
] as const satisfies readonly (keyof Database)[];

type Unlisted = Exclude<keyof Database, (typeof TABLES)[number]>;
// A table added to Database but not to TABLES makes this line a type error.
const everyTableListed: [Unlisted] extends [never] ? true : Unlisted = true;
void everyTableListed;

export type TableCounts = Record<keyof Database, number>;

/** Row counts of every table, to show that a rejected request wrote nothing anywhere. */
export async function countRows(db: Executor): Promise<TableCounts> {
  const counts = {} as TableCounts;
  for (const table of TABLES) {
    const row = await db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow();
    counts[table] = Number(row.n);
  }
  return counts;
}

/** Sum of the ledger entries of some rewards, per posting and currency; double entry makes each 0. */
export async function postingSums(db: Executor, rewardIds: readonly string[]) {
  if (rewardIds.length === 0) return [];
  const rows = await db
    .selectFrom('ledger_entries')
    .select(['posting_id', 'currency', (eb) => eb.fn.sum<number | string>('amount').as('sum')])
    .where('reward_id', 'in', rewardIds)
    .groupBy(['posting_id', 'currency'])
    .orderBy('posting_id')
    .execute();
  // SUM over bigint arrives as a string on PostgreSQL.
  return rows.map((r) => ({ posting_id: r.posting_id, currency: r.currency, sum: Number(r.sum) }));
}
