import type { Executor } from '../executor.ts';
import { prepared } from '../prepared.ts';
import type { ApiKeysTable } from '../schema.ts';

export type ApiKeyRow = ApiKeysTable;

export async function insertApiKey(db: Executor, row: ApiKeyRow): Promise<void> {
  await db.insertInto('api_keys').values(row).execute();
}

// Every authenticated request runs it.
const selectActiveByHash = prepared((db, v: { hash: string }) =>
  db.selectFrom('api_keys').selectAll().where('hash', '=', v.hash).where('revoked_at', 'is', null),
);

export async function findActiveKeyByHash(db: Executor, hash: string): Promise<ApiKeyRow | undefined> {
  return (await selectActiveByHash(db, { hash })).rows[0];
}

export async function listApiKeyRows(db: Executor): Promise<ApiKeyRow[]> {
  return db.selectFrom('api_keys').selectAll().orderBy('id', 'desc').execute();
}

export async function countApiKeys(db: Executor): Promise<number> {
  const row = await db
    .selectFrom('api_keys')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** True when an active key was revoked now. */
export async function revokeApiKeyRow(db: Executor, id: string, at: string): Promise<boolean> {
  const result = await db
    .updateTable('api_keys')
    .set({ revoked_at: at })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
