import type { Kysely } from 'kysely';

// What each key may do, as a JSON array of scope names. Every key made before scopes had full
// access, so existing rows become admin; the service always names a new key's scopes itself.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('api_keys')
    .addColumn('scopes', 'text', (col) => col.notNull().defaultTo('["admin"]'))
    .execute();
}
