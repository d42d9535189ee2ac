import type { Kysely } from 'kysely';

// The tables as this migration finds them: later changes to schema.ts must not change it.
interface Before {
  rewards: {
    id: string;
    referral_id: string;
    created_at: string;
    qualifying_event_id: string | null;
    available_at: string | null;
  };
  referrals: { id: string; qualifying_event_id: string | null };
}

// Hold periods, approval, clawback and payouts. Portable on SQLite and PostgreSQL, like 0001.
export async function up(db: Kysely<Before>): Promise<void> {
  await db.schema
    .alterTable('programs')
    .addColumn('reward_hold_days', 'integer', (c) => c.notNull().defaultTo(30))
    .execute();
  // JSON: the smallest balance paid out, per currency ({"USD": 5000}).
  await db.schema
    .alterTable('programs')
    .addColumn('payout_minimums', 'text', (c) => c.notNull().defaultTo('{}'))
    .execute();

  // A refund names the purchase it refunds; its rewards are reversed pro rata.
  await db.schema.alterTable('events').addColumn('purchase_external_id', 'text').execute();
  // Partial indexes, here and below: most rows have no value to index, and every row an index
  // leaves out is one less index write on the ingestion path.
  await db.schema
    .createIndex('events_refunded_purchase_idx')
    .on('events')
    .column('purchase_external_id')
    .where('purchase_external_id', 'is not', null)
    .execute();

  const columns = [
    'qualifying_event_id',
    'available_at',
    'approved_at',
    'issued_at',
    'reversed_at',
    'reversal_reason',
    'payout_id',
  ];
  for (const column of columns) {
    await db.schema.alterTable('rewards').addColumn(column, 'text').execute();
  }
  await db.schema
    .alterTable('rewards')
    .addColumn('reversed_amount', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
  // Rewards from before holds existed: their purchase, and the default 30-day hold.
  await db
    .updateTable('rewards')
    .set((eb) => ({
      qualifying_event_id: eb
        .selectFrom('referrals')
        .select('referrals.qualifying_event_id')
        .whereRef('referrals.id', '=', 'rewards.referral_id'),
    }))
    .execute();
  const rewards = await db.selectFrom('rewards').select(['id', 'created_at']).execute();
  for (const { id, created_at } of rewards) {
    const availableAt = new Date(Date.parse(created_at) + 30 * 86_400_000).toISOString();
    await db.updateTable('rewards').set({ available_at: availableAt }).where('id', '=', id).execute();
  }
  await db.schema.createIndex('rewards_event_idx').on('rewards').column('qualifying_event_id').execute();
  await db.schema.createIndex('rewards_due_idx').on('rewards').columns(['status', 'available_at']).execute();
  await db.schema
    .createIndex('rewards_payout_idx')
    .on('rewards')
    .column('payout_id')
    .where('payout_id', 'is not', null)
    .execute();

  await db.schema.alterTable('ledger_entries').addColumn('payout_id', 'text').execute();
  await db.schema
    .createIndex('ledger_payout_idx')
    .on('ledger_entries')
    .column('payout_id')
    .where('payout_id', 'is not', null)
    .execute();

  await db.schema
    .createTable('payouts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('program_id', 'text', (c) => c.notNull().references('programs.id'))
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addColumn('item_count', 'integer', (c) => c.notNull())
    // `program:currency` while the run is open, null after: one open run per program and
    // currency, so two concurrent runs can never pay the same balance twice.
    .addColumn('open_key', 'text', (c) => c.unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('settled_at', 'text')
    .execute();

  await db.schema
    .createTable('payout_items')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('payout_id', 'text', (c) => c.notNull().references('payouts.id'))
    .addColumn('participant_id', 'text', (c) => c.notNull().references('participants.id'))
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addUniqueConstraint('payout_items_participant_unique', ['payout_id', 'participant_id'])
    .execute();
}
