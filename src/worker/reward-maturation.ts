import type { FastifyBaseLogger } from 'fastify';
import { approveDueRewards } from '../services/rewards.ts';
import { ConnectionLost } from '../store/connection-loss.ts';
import type { Store } from '../store/database.ts';

const BATCH = 500;

/** Approves every reward whose hold has ended by `now`, a batch per transaction. How many. */
export async function approveAllDue(store: Store, now: Date): Promise<number> {
  let total = 0;
  for (;;) {
    const approved = await store.transaction((trx) => approveDueRewards(trx, now, BATCH));
    total += approved;
    if (approved < BATCH) return total;
  }
}

/**
 * Runs `approveAllDue` every `intervalMs` inside `vouch serve`. Safe with several processes on one
 * database: each approval is a compare-and-set, so a reward is approved once. Returns a stop function
 * that waits for a sweep in progress.
 */
export function startRewardMaturation(
  store: Store,
  log: FastifyBaseLogger,
  intervalMs: number,
  now: () => Date,
): () => Promise<void> {
  let running: Promise<void> = Promise.resolve();
  const sweep = () => {
    running = approveAllDue(store, now()).then(
      (approved) => {
        if (approved > 0) log.info({ approved }, 'approved rewards whose hold ended');
      },
      (err: unknown) => {
        // A lost connection was logged once by the store; the next sweep opens a new one.
        if (err instanceof ConnectionLost) return;
        log.error({ err }, 'approving rewards whose hold ended failed; retrying next sweep');
      },
    );
  };
  const timer = setInterval(sweep, intervalMs);
  timer.unref();
  sweep();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
