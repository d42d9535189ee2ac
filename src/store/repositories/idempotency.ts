import { sql } from 'kysely';
import type { Executor } from '../executor.ts';
import type { IdempotencyKeysTable } from '../schema.ts';

export type IdempotencyRow = IdempotencyKeysTable;

/** The stored response of a key, unless it was stored before `since` (expired: the key is new again). */
export async function findIdempotencyRecord(
  db: Executor,
  apiKeyId: string,
  key: string,
  since: string,
): Promise<IdempotencyRow | undefined> {
  return db
    .selectFrom('idempotency_keys')
    .selectAll()
    .where('api_key_id', '=', apiKeyId)
    .where('key', '=', key)
    .where('created_at', '>=', since)
    .executeTakeFirst();
}

/**
 * False when a concurrent request stored the same key first. An expired record of the key is
 * replaced in the same transaction, so a reused old key is a new request.
 */
export async function insertIdempotencyRecord(
  db: Executor,
  row: IdempotencyRow,
  since: string,
): Promise<boolean> {
  await db
    .deleteFrom('idempotency_keys')
    .where('api_key_id', '=', row.api_key_id)
    .where('key', '=', row.key)
    .where('created_at', '<', since)
    .execute();
  const inserted = await db
    .insertInto('idempotency_keys')
    .values(row)
    .onConflict((oc) => oc.columns(['api_key_id', 'key']).doNothing())
    .returning('key')
    .executeTakeFirst();
  return inserted !== undefined;
}

/** Deletes up to `limit` of the records stored before `before`, oldest first. How many. */
export async function deleteExpiredIdempotencyRecords(
  db: Executor,
  before: string,
  limit: number,
): Promise<number> {
  const result = await sql`
    delete from idempotency_keys
    where (api_key_id, key) in (
      select api_key_id, key from idempotency_keys
      where created_at < ${before}
      order by created_at
      limit ${limit}
    )`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}
