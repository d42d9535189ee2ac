import type { FastifyBaseLogger } from 'fastify';
import type { Store } from '../store/database.ts';
import { deleteHeartbeat, putHeartbeat } from '../store/repositories/heartbeat.ts';

export const HEARTBEAT_INTERVAL_MS = 15_000;

export async function writeHeartbeat(store: Store, at: Date): Promise<void> {
  await store.transaction((trx) => putHeartbeat(trx, at));
}

/**
 * Beats now and every interval; the returned stop removes the row, so a worker shut down on
 * purpose reads as absent (not stale) and does not make serve not-ready.
 */
export function startHeartbeat(
  store: Store,
  log: Pick<FastifyBaseLogger, 'warn'>,
  now: () => Date,
  intervalMs = HEARTBEAT_INTERVAL_MS,
): () => Promise<void> {
  const beat = () =>
    writeHeartbeat(store, now()).catch((err) => log.warn({ err }, 'could not write the worker heartbeat'));
  void beat();
  const timer = setInterval(beat, intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await store.transaction(deleteHeartbeat).catch(() => {});
  };
}
