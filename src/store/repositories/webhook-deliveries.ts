import type { ExpressionBuilder } from 'kysely';
import { type Executor, fetchPage, type Page, type PageRequest } from '../executor.ts';
import { isPostgres } from '../locks.ts';
import type { Database, OutboxTable, WebhookAttemptsTable, WebhookDeliveriesTable } from '../schema.ts';

export type DeliveryRow = WebhookDeliveriesTable;
/** A delivery just leased; `lease_expired` when it was leased before and that lease ran out. */
export type LeasedDelivery = DeliveryRow & { lease_expired: boolean };
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
): Promise<LeasedDelivery[]> {
  let query = db
    .selectFrom('webhook_deliveries')
    .where((eb) => isDue(eb, now))
    .select(['id', 'endpoint_id'])
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
  return leaseIds(db, ids, now, leaseUntil);
}

/**
 * Takes the oldest due delivery of each endpoint not in `busy` (those this worker has attempts in
 * flight for), up to `limit`, the endpoints that `rank` puts first (the longest unserved) first:
 * an endpoint waiting behind other endpoints' older backlog gets the next free slot. One indexed
 * look-up per endpoint, so it costs the same whatever the backlog.
 */
export async function leaseFirstOfIdle(
  db: Executor,
  now: string,
  leaseUntil: string,
  limit: number,
  busy: readonly string[],
  rank: (endpointId: string) => number,
): Promise<LeasedDelivery[]> {
  let query = db.selectFrom('webhook_endpoints as e').select((eb) => [
    'e.id as endpoint_id',
    eb
      .selectFrom('webhook_deliveries')
      .select('webhook_deliveries.id')
      .where((inner) => isDue(inner as ExpressionBuilder<Database, 'webhook_deliveries'>, now))
      .whereRef('webhook_deliveries.endpoint_id', '=', 'e.id')
      .orderBy('webhook_deliveries.next_attempt_at')
      .limit(1)
      .as('first'),
  ]);
  if (busy.length > 0) query = query.where('e.id', 'not in', busy);
  const firsts = (await query.execute())
    .filter((row): row is { endpoint_id: string; first: string } => row.first !== null)
    .sort((a, b) => rank(a.endpoint_id) - rank(b.endpoint_id));
  return leaseIds(
    db,
    firsts.slice(0, limit).map((row) => row.first),
    now,
    leaseUntil,
  );
}

/** Pending, due now and not leased (a lease that ran out, its worker died, is due again). */
const isDue = (eb: ExpressionBuilder<Database, 'webhook_deliveries'>, now: string) =>
  eb.and([
    eb('webhook_deliveries.status', '=', 'pending'),
    eb('webhook_deliveries.next_attempt_at', '<=', now),
    eb.or([
      eb('webhook_deliveries.locked_until', 'is', null),
      eb('webhook_deliveries.locked_until', '<', now),
    ]),
  ]);

/**
 * Leases these deliveries if they are still due and free: another worker may have taken one since.
 * A due delivery that still has a lease had it run out (an attempt clears it when recorded): those
 * are read first, since UPDATE ... RETURNING gives the new lease only.
 */
async function leaseIds(
  db: Executor,
  ids: string[],
  now: string,
  leaseUntil: string,
): Promise<LeasedDelivery[]> {
  if (ids.length === 0) return [];
  const expired = await db
    .selectFrom('webhook_deliveries')
    .select('id')
    .where('id', 'in', ids)
    .where('locked_until', 'is not', null)
    .execute();
  const expiredIds = new Set(expired.map((row) => row.id));
  const leased = await db
    .updateTable('webhook_deliveries')
    .set({ locked_until: leaseUntil })
    .where('id', 'in', ids)
    .where((eb) => isDue(eb, now))
    .returningAll()
    .execute();
  return leased.map((row) => ({ ...row, lease_expired: expiredIds.has(row.id) }));
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
