import { type Kysely, sql } from 'kysely';

// The tables as this migration finds them.
interface Before {
  programs: { id: string; rewards: string; created_at: string };
  program_rules: { program_id: string; version: number; rules: string; created_at: string };
}

// Versioned incentive rules: a referral keeps the rules of the version it was made under.
export async function up(db: Kysely<Before>): Promise<void> {
  await db.schema
    .createTable('program_rules')
    .addColumn('program_id', 'text', (c) => c.notNull().references('programs.id'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('rules', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('program_rules_pk', ['program_id', 'version'])
    .execute();
  await db
    .insertInto('program_rules')
    .columns(['program_id', 'version', 'rules', 'created_at'])
    .expression((eb) =>
      eb.selectFrom('programs').select((s) => ['id', s.lit(1).as('version'), 'rewards', 'created_at']),
    )
    .execute();
  await db.schema
    .alterTable('programs')
    .addColumn('rules_version', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema
    .alterTable('referrals')
    .addColumn('rules_version', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  // Why a qualified referral earned less than its rules offer (a cap, the budget), if it did.
  await db.schema.alterTable('referrals').addColumn('unrewarded_reason', 'text').execute();
  // Rules that count a customer's purchases (the Nth purchase, new customers only) read these.
  await db.schema
    .createIndex('events_customer_purchases_idx')
    .on('events')
    .columns(['customer_external_id', 'occurred_at'])
    .where(sql.ref('type'), '=', sql.lit('purchase'))
    .execute();
}
