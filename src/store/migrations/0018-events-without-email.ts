import type { Kysely } from 'kysely';

// An event's email enrols the customer and is then kept on the participant only, where mail
// needs it (and erasure finds it); the copies events kept are dropped with the column.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('events').dropColumn('customer_email').execute();
}
