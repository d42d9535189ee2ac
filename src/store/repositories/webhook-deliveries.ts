import { type Executor, fetchPage, type Page, type PageRequest } from '../executor.ts';
import { isPostgres } from '../locks.ts';
import type { OutboxTable, WebhookAttemptsTable, WebhookDeliveriesTable } from '../schema.ts';

export type DeliveryRow = WebhookDeliveriesTable;
export type AttemptRow = WebhookAttemptsTable;

/**
 * The oldest outbox messages not fanned out yet. On PostgreSQL, rows another dispatcher holds are
 * skipped, so several processes fan out different messages at once.
 */
export async function lockUnprocessedOutbox(db: Executor, limit: number): Promise<OutboxTable[]> {
  let query = db
    .selectFrom('outbox')
    .selectAll()
    .where('processed_at', 'is', null)
    .orderBy('id')
    .limit(limit);
  if (isPostgres(db)) query = query.forUpdate().skipLocked();
  return query.execute();
}

export async function markOutboxProcessed(db: Executor, ids: string[], at: string): Promise<void> {
  if (ids.length > 0)
    await db.updateTable('outbox').set({ processed_at: at }).where('id', 'in', ids).execute();
}

/** New deliveries; one per (endpoint, message), so fanning a message out twice adds nothing. */
export async function insertDeliveries(db: Executor, rows: DeliveryRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 500) {
    await db
      .insertInto('webhook_deliveries')
      .values(rows.slice(i, i + 500))
      .onConflict((oc) => oc.columns(['endpoint_id', 'message_id']).doNothing())
      .execute();
  }
}

/**
 * Takes up to `limit` due deliveries until `leaseUntil`, within each endpoint's free slots, so a
 * backlog at one endpoint does not starve the others. A lease that ran out (its worker died) is
 * due again. On PostgreSQL concurrent workers skip each other's rows.
 */
export async function leaseDueDeliveries(
  db: Executor,
  now: string,
  leaseUntil: string,
  limit: number,
  /** How many more of an endpoint's deliveries this worker may take now. */
  slotsOf: (endpointId: string) => number,
  /** Endpoints with no slot left. */
  exclude: readonly string[],
): Promise<DeliveryRow[]> {
  let query = db
    .selectFrom('webhook_deliveries')
    .select(['id', 'endpoint_id'])
    .where('status', '=', 'pending')
    .where('next_attempt_at', '<=', now)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now)]))
    .orderBy('next_attempt_at')
    .orderBy('id')
    .limit(limit * 4);
  if (exclude.length > 0) query = query.where('endpoint_id', 'not in', exclude);
  if (isPostgres(db)) query = query.forUpdate().skipLocked();
  const candidates = await query.execute();
  const perCount = new Map<string, number>();
  const ids: string[] = [];
  for (const c of candidates) {
    const n = perCount.get(c.endpoint_id) ?? 0;
    if (n >= slotsOf(c.endpoint_id) || ids.length >= limit) continue;
    perCount.set(c.endpoint_id, n + 1);
    ids.push(c.id);
  }
  if (ids.length === 0) return [];
  return db
    .updateTable('webhook_deliveries')
    .set({ locked_until: leaseUntil })
    .where('id', 'in', ids)
    .returningAll()
    .execute();
}

export async function updateDelivery(
  db: Executor,
  id: string,
  changes: Partial<Omit<DeliveryRow, 'id'>>,
): Promise<void> {
  await db.updateTable('webhook_deliveries').set(changes).where('id', '=', id).execute();
}

export async function insertAttempt(db: Executor, row: AttemptRow): Promise<void> {
  await db.insertInto('webhook_attempts').values(row).execute();
}

export function findDelivery(db: Executor, id: string): Promise<DeliveryRow | undefined> {
  return db.selectFrom('webhook_deliveries').selectAll().where('id', '=', id).executeTakeFirst();
}

export function listDeliveryRows(
  db: Executor,
  filter: { endpointId: string; status?: DeliveryRow['status'] | undefined },
  page: PageRequest,
): Promise<Page<DeliveryRow>> {
  let query = db.selectFrom('webhook_deliveries').selectAll().where('endpoint_id', '=', filter.endpointId);
  if (filter.status) query = query.where('status', '=', filter.status);
  return fetchPage(query, page);
}

export function listAttempts(db: Executor, deliveryIds: readonly string[]): Promise<AttemptRow[]> {
  if (deliveryIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('webhook_attempts')
    .selectAll()
    .where('delivery_id', 'in', deliveryIds)
    .orderBy('id', 'desc')
    .execute();
}
