import type { Executor } from '../executor.ts';

export interface OutboxMessage {
  id: string;
  topic: string;
  payload: unknown;
  createdAt: string;
}

/** Side effects are rows written in the caller's transaction; workers deliver them later. */
export async function enqueue(db: Executor, messages: OutboxMessage[]): Promise<void> {
  if (messages.length === 0) return;
  await db
    .insertInto('outbox')
    .values(
      messages.map((m) => ({
        id: m.id,
        topic: m.topic,
        payload: JSON.stringify(m.payload),
        created_at: m.createdAt,
        processed_at: null,
      })),
    )
    .execute();
}
