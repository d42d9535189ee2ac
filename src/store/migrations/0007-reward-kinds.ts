import { type Kysely, sql } from 'kysely';

// Reward kinds and their fulfilment: coupon and gift-card pools, tasks an admin completes, and
// what a reward carries once delivered. Portable, like 0001. Rewards made before are cash.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('rewards')
    .addColumn('kind', 'text', (c) => c.notNull().defaultTo('cash'))
    .execute();
  await db.schema
    .alterTable('rewards')
    .addColumn('accounting_class', 'text', (c) => c.notNull().defaultTo('marketing_expense'))
    .execute();
  // JSON: how the reward is delivered (a pool, a code pattern, a task's description); null for cash.
  await db.schema.alterTable('rewards').addColumn('fulfilment', 'text').execute();
  // The pool a coupon or gift card is drawn from, so codes uploaded later reach the rewards waiting.
  await db.schema.alterTable('rewards').addColumn('pool_id', 'text').execute();
  await db.schema.alterTable('rewards').addColumn('code', 'text').execute();
  await db.schema.alterTable('rewards').addColumn('fulfilment_reference', 'text').execute();
  await db.schema.alterTable('rewards').addColumn('redeemed_at', 'text').execute();
  await db.schema
    .createIndex('rewards_pool_waiting_idx')
    .on('rewards')
    .columns(['pool_id', 'id'])
    .where('pool_id', 'is not', null)
    .execute();

  // Loyalty points the business's own programme gave for a purchase (exclusive referral points).
  await db.schema.alterTable('events').addColumn('loyalty_points', 'integer').execute();

  await db.schema
    .createTable('reward_pools')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('program_id', 'text', (c) => c.notNull().references('programs.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('low_stock_threshold', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('reward_pool_codes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('pool_id', 'text', (c) => c.notNull().references('reward_pools.id'))
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('reward_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('drawn_at', 'text')
    .addUniqueConstraint('reward_pool_codes_unique', ['pool_id', 'code'])
    .execute();
  // Drawing takes the oldest code not drawn yet: only those are in the index.
  await db.schema
    .createIndex('reward_pool_codes_available_idx')
    .on('reward_pool_codes')
    .columns(['pool_id', 'id'])
    .where(sql.ref('reward_id'), 'is', null)
    .execute();

  await db.schema
    .createTable('fulfilment_tasks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('program_id', 'text', (c) => c.notNull().references('programs.id'))
    .addColumn('reward_id', 'text', (c) => c.notNull().unique().references('rewards.id'))
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('completed_at', 'text')
    .addColumn('completed_by', 'text')
    .addColumn('note', 'text')
    .execute();
  await db.schema
    .createIndex('fulfilment_tasks_status_idx')
    .on('fulfilment_tasks')
    .columns(['status', 'id'])
    .execute();
}
