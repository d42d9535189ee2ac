import { type Executor, fetchPage, type Page, type PageRequest } from '../executor.ts';
import type { WebhookEndpointsTable } from '../schema.ts';

export type WebhookEndpointRow = WebhookEndpointsTable;

export async function insertEndpoint(db: Executor, row: WebhookEndpointRow): Promise<void> {
  await db.insertInto('webhook_endpoints').values(row).execute();
}

/** A live endpoint (not deleted). */
export function findEndpoint(db: Executor, id: string): Promise<WebhookEndpointRow | undefined> {
  return db
    .selectFrom('webhook_endpoints')
    .selectAll()
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
}

/** Whether an endpoint was ever made, deleted or not: its delivery log outlives it. */
export async function endpointExists(db: Executor, id: string): Promise<boolean> {
  return (
    (await db.selectFrom('webhook_endpoints').select('id').where('id', '=', id).executeTakeFirst()) !==
    undefined
  );
}

export function listEndpointRows(db: Executor, page: PageRequest): Promise<Page<WebhookEndpointRow>> {
  return fetchPage(db.selectFrom('webhook_endpoints').selectAll().where('deleted_at', 'is', null), page);
}

export async function updateEndpointRow(
  db: Executor,
  id: string,
  changes: Partial<Omit<WebhookEndpointRow, 'id'>>,
): Promise<void> {
  await db.updateTable('webhook_endpoints').set(changes).where('id', '=', id).execute();
}

/** Endpoints that receive new messages: enabled, not deleted. */
export function listEnabledEndpoints(db: Executor) {
  return db
    .selectFrom('webhook_endpoints')
    .select(['id', 'events', 'created_at'])
    .where('status', '=', 'enabled')
    .where('deleted_at', 'is', null)
    .execute();
}

export type StoredSecrets = Pick<WebhookEndpointRow, 'id' | 'secret' | 'previous_secret'>;

/** Every endpoint's stored secrets, deleted ones too, in id order after `after`. */
export function listStoredSecrets(db: Executor, after: string, limit: number): Promise<StoredSecrets[]> {
  return db
    .selectFrom('webhook_endpoints')
    .select(['id', 'secret', 'previous_secret'])
    .where('id', '>', after)
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** Replaces an endpoint's stored secrets unless they changed since they were read; whether it did. */
export async function replaceStoredSecrets(
  db: Executor,
  read: StoredSecrets,
  next: Pick<StoredSecrets, 'secret' | 'previous_secret'>,
): Promise<boolean> {
  const result = await db
    .updateTable('webhook_endpoints')
    .set(next)
    .where('id', '=', read.id)
    .where('secret', '=', read.secret)
    .where((eb) =>
      read.previous_secret === null
        ? eb('previous_secret', 'is', null)
        : eb('previous_secret', '=', read.previous_secret),
    )
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
