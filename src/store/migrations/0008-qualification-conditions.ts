import type { Kysely } from 'kysely';

// Qualification conditions: custom qualifying events are named, and participants may belong to a
// segment that rules can require. Both nullable, so rows made before read as "none". Portable.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('events').addColumn('name', 'text').execute();
  await db.schema.alterTable('participants').addColumn('segment', 'text').execute();
}
