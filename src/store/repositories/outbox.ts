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
