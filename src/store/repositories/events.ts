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
