import type { FastifyBaseLogger } from 'fastify';
import type { Store } from '../store/database.ts';

/** The settings row a running worker refreshes, read by serve's readiness check. */
export const HEARTBEAT_KEY = 'worker_heartbeat';
export const HEARTBEAT_INTERVAL_MS = 15_000;
// Four missed beats: a worker busy on a slow batch or a brief database outage is not yet stale.
export const HEARTBEAT_STALE_MS = 60_000;

export async function writeHeartbeat(store: Store, at: Date): Promise<void> {
  const value = at.toISOString();
  await store.transaction((trx) =>
    trx
      .insertInto('settings')
      .values({ key: HEARTBEAT_KEY, value })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
      .execute(),
  );
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
    await store
      .transaction((trx) => trx.deleteFrom('settings').where('key', '=', HEARTBEAT_KEY).execute())
      .catch(() => {});
  };
}
