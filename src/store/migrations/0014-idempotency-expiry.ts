import type { Kysely } from 'kysely';

// Stored responses expire (VOUCH_IDEMPOTENCY_KEY_TTL_HOURS); the worker deletes the oldest first.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('idempotency_keys_created_at')
    .on('idempotency_keys')
    .column('created_at')
    .execute();
}
