import type { Executor } from '../executor.ts';
import { prepared } from '../prepared.ts';
import type { EventsTable } from '../schema.ts';

export type EventRow = EventsTable;

/**
 * Claims (type, external_id) for this event. The first statement of ingestion, so a concurrent
 * duplicate waits here (PostgreSQL) or is serialised (SQLite) and then sees the first one.
 */
export async function claimEvent(db: Executor, row: EventRow): Promise<boolean> {
  return (await insertEventIfAbsent(db, row)).rows.length > 0;
}

const insertEventIfAbsent = prepared((db, row: EventRow) =>
  db
    .insertInto('events')
    .values(row)
    .onConflict((oc) => oc.columns(['type', 'external_id']).doNothing())
    .returning('id'),
);

export async function findEventByExternalId(
  db: Executor,
  type: EventRow['type'],
  externalId: string,
): Promise<EventRow | undefined> {
  return db
    .selectFrom('events')
    .selectAll()
    .where('type', '=', type)
    .where('external_id', '=', externalId)
    .executeTakeFirst();
}

export async function setEventOutcome(
  db: Executor,
  id: string,
  changes: Pick<EventRow, 'result' | 'program_id'>,
): Promise<void> {
  await updateOutcome(db, { id, ...changes });
}

const updateOutcome = prepared((db, v: Pick<EventRow, 'id' | 'result' | 'program_id'>) =>
  db.updateTable('events').set({ result: v.result, program_id: v.program_id }).where('id', '=', v.id),
);

/** The total of the refunds of one purchase, this transaction's own included. */
export async function sumRefundsOf(db: Executor, purchaseExternalId: string): Promise<number> {
  const row = await db
    .selectFrom('events')
    .select((eb) => eb.fn.sum<number | string | null>('amount').as('total'))
    .where('type', '=', 'refund')
    .where('purchase_external_id', '=', purchaseExternalId)
    .executeTakeFirst();
  // SUM over bigint is numeric on PostgreSQL and arrives as a string.
  return Number(row?.total ?? 0);
}

/** The refunds recorded of a purchase, oldest first: what their sources and totals are read from. */
export function refundsOf(db: Executor, purchaseExternalId: string) {
  return db
    .selectFrom('events')
    .select(['id', 'external_id', 'amount', 'currency'])
    .where('type', '=', 'refund')
    .where('purchase_external_id', '=', purchaseExternalId)
    .orderBy('id')
    .execute();
}

/** A customer's purchases since a time, optionally only those of at least `min` in its currency. */
export async function countPurchasesSince(
  db: Executor,
  customerExternalId: string,
  since: string,
  min: { amount: number; currency: string } | null,
): Promise<number> {
  let query = db
    .selectFrom('events')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('customer_external_id', '=', customerExternalId)
    .where('type', '=', 'purchase')
    .where('occurred_at', '>=', since);
  if (min) query = query.where('currency', '=', min.currency).where('amount', '>=', min.amount);
  return Number((await query.executeTakeFirstOrThrow()).n);
}

export async function hasPurchasedBefore(
  db: Executor,
  customerExternalId: string,
  before: string,
): Promise<boolean> {
  const row = await db
    .selectFrom('events')
    .select('id')
    .where('customer_external_id', '=', customerExternalId)
    .where('type', '=', 'purchase')
    .where('occurred_at', '<', before)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
