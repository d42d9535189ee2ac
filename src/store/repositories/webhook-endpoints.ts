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
