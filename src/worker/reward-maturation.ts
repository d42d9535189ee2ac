import type { FastifyBaseLogger } from 'fastify';
import { approveDueRewards } from '../services/rewards/approve-reward.ts';
import type { Store } from '../store/database.ts';
import { every } from './every.ts';

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
 * Runs `approveAllDue` every `intervalMs` inside `vouch serve` and `vouch worker`. Safe with several
 * processes on one database: each approval is a compare-and-set, so a reward is approved once.
 * Returns a stop function that waits for a sweep in progress.
 */
export function startRewardMaturation(
  store: Store,
  log: FastifyBaseLogger,
  intervalMs: number,
  now: () => Date,
): () => Promise<void> {
  const sweep = async () => {
    const approved = await approveAllDue(store, now());
    if (approved > 0) log.info({ approved }, 'approved rewards whose hold ended');
  };
  return every(intervalMs, sweep, log, 'approving rewards whose hold ended failed; retrying next sweep');
}
