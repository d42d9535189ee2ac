import { PostgresAdapter } from 'kysely';
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

/**
 * Takes the row lock of an event on PostgreSQL, so the refunds of one purchase run one after
 * another. SQLite needs none: its writers are already serialised.
 */
export async function lockEvent(db: Executor, eventId: string): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  await db.selectFrom('events').select('id').where('id', '=', eventId).forUpdate().execute();
}

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
