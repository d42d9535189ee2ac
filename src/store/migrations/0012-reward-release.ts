import type { Kysely } from 'kysely';

// A disabled participant's rewards wait; an admin may release some of them to be approved and
// paid all the same. When that happened, or null.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('rewards').addColumn('released_at', 'text').execute();
}
