import type { FastifyBaseLogger } from 'fastify';
import type { Store } from '../store/database.ts';
import { deleteExpiredIdempotencyRecords } from '../store/repositories/idempotency.ts';
import { every } from './every.ts';

// Small batches, each its own transaction, so a large backlog never holds a long write lock.
const BATCH = 1_000;

/** Deletes every stored Idempotency-Key response older than `ttlHours` at `now`. How many. */
export async function deleteExpiredResponses(store: Store, now: Date, ttlHours: number): Promise<number> {
  const before = new Date(now.getTime() - ttlHours * 3_600_000).toISOString();
  let total = 0;
  for (;;) {
    const deleted = await store.transaction((trx) => deleteExpiredIdempotencyRecords(trx, before, BATCH));
    total += deleted;
    if (deleted < BATCH) return total;
  }
}

/** Runs `deleteExpiredResponses` every `intervalMs`; several processes may run it at once. */
export function startIdempotencyExpiry(
  store: Store,
  log: FastifyBaseLogger,
  intervalMs: number,
  ttlHours: number,
  now: () => Date,
): () => Promise<void> {
  const sweep = async () => {
    const deleted = await deleteExpiredResponses(store, now(), ttlHours);
    if (deleted > 0) log.info({ deleted }, 'deleted expired Idempotency-Key responses');
  };
  return every(intervalMs, sweep, log, 'deleting expired Idempotency-Key responses failed; retrying');
}
