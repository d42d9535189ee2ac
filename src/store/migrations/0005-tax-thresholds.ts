import type { Kysely } from 'kysely';

// JSON: per currency, the yearly payout total from which a participant must be reported for tax.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('programs')
    .addColumn('tax_reporting_thresholds', 'text', (c) => c.notNull().defaultTo('{}'))
    .execute();
}
