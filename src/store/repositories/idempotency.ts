import type { Executor } from '../executor.ts';
import type { IdempotencyKeysTable } from '../schema.ts';

export type IdempotencyRow = IdempotencyKeysTable;

export async function findIdempotencyRecord(
  db: Executor,
  apiKeyId: string,
  key: string,
): Promise<IdempotencyRow | undefined> {
  return db
    .selectFrom('idempotency_keys')
    .selectAll()
    .where('api_key_id', '=', apiKeyId)
    .where('key', '=', key)
    .executeTakeFirst();
}

/** False when a concurrent request stored the same key first. */
export async function insertIdempotencyRecord(db: Executor, row: IdempotencyRow): Promise<boolean> {
  const inserted = await db
    .insertInto('idempotency_keys')
    .values(row)
    .onConflict((oc) => oc.columns(['api_key_id', 'key']).doNothing())
    .returning('key')
    .executeTakeFirst();
  return inserted !== undefined;
}
