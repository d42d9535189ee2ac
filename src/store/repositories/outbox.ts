import type { Executor } from '../executor.ts';
import { prepared } from '../prepared.ts';
import type { OutboxTable } from '../schema.ts';

export interface OutboxMessage {
  id: string;
  topic: string;
  payload: unknown;
  createdAt: string;
}

/** Side effects are rows written in the caller's transaction; workers deliver them later. */
export async function enqueue(db: Executor, messages: OutboxMessage[]): Promise<void> {
  if (messages.length === 0) return;
  const rows = messages.map((m) => ({
    id: m.id,
    topic: m.topic,
    payload: JSON.stringify(m.payload),
    created_at: m.createdAt,
    processed_at: null,
  }));
  await insertRows(db, rows);
}

const insertRows = prepared((db, rows: OutboxTable[]) => db.insertInto('outbox').values(rows));

export interface OutboxBacklog {
  waiting: number;
  oldestAt: string | null;
  pendingDeliveries: number;
}

/**
 * What waits to leave, for the metrics: one statement of three index reads. The messages not fanned
 * out and the pending deliveries are counted on their partial indexes (outbox_unprocessed_idx,
 * webhook_deliveries_due_idx), and the oldest message is the first id of the first, since ids
 * sort by the time they were made.
 */
export async function outboxBacklog(db: Executor): Promise<OutboxBacklog> {
  const row = await db
    .selectNoFrom((eb) => [
      eb
        .selectFrom('outbox')
        .select((e) => e.fn.countAll<number | string>().as('n'))
        .where('processed_at', 'is', null)
        .as('waiting'),
      eb
        .selectFrom('outbox')
        .select('created_at')
        .where('processed_at', 'is', null)
        .orderBy('id')
        .limit(1)
        .as('oldest_at'),
      eb
        .selectFrom('webhook_deliveries')
        .select((e) => e.fn.countAll<number | string>().as('n'))
        .where('status', '=', 'pending')
        .as('pending'),
    ])
    .executeTakeFirstOrThrow();
  return {
    waiting: Number(row.waiting ?? 0),
    oldestAt: row.oldest_at ?? null,
    pendingDeliveries: Number(row.pending ?? 0),
  };
}
