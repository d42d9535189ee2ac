import { type Kysely, sql } from 'kysely';

// The worker looks up each endpoint's oldest due delivery (so an endpoint waiting behind others'
// backlog is served first): an index over the pending deliveries of each endpoint, by due time.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('webhook_deliveries_endpoint_due_idx')
    .on('webhook_deliveries')
    .columns(['endpoint_id', 'next_attempt_at'])
    .where(sql.ref('status'), '=', sql.lit('pending'))
    .execute();
}
