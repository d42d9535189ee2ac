import type { EntryDraft } from '../../domain/ledger.ts';
import type { RewardState } from '../../domain/reward-lifecycle.ts';
import { notFound } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import type { Executor, InTransaction, Page, PageRequest } from '../../store/executor.ts';
import {
  findReward,
  listRewardRows,
  type RewardFilter,
  type RewardRow,
} from '../../store/repositories/rewards.ts';

export type { RewardRow };
export type ReversalReason = NonNullable<RewardRow['reversal_reason']>;

// A reward changes by compare-and-set on (status, reversed_amount); a loser reads it again. More
// than a few losses in a row would mean a bug, not contention.
const MAX_ATTEMPTS = 5;
/** What a change returns when the reward changed under it: it is read again and tried anew. */
export const LOST = Symbol('lost');

export const stateOf = (r: RewardRow): RewardState => ({
  status: r.status,
  amount: r.amount,
  reversedAmount: r.reversed_amount,
  kind: r.kind,
});

/** Reads the reward and applies the change, again on the latest row while the change loses. */
export async function changeLatest<T>(
  db: InTransaction,
  id: string,
  change: (reward: RewardRow) => Promise<T | typeof LOST>,
): Promise<T> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const reward = await findReward(db, id);
    if (!reward) throw notFound('reward', id);
    const done = await change(reward);
    if (done !== LOST) return done;
  }
  throw new Error(`reward ${id} changed under every one of ${MAX_ATTEMPTS} attempts`);
}

/** A posting of the reward's entries, in its program. */
export function postingOf(reward: RewardRow, entries: EntryDraft[]) {
  return { id: newId('pst'), programId: reward.program_id, rewardId: reward.id, entries };
}

export function listRewards(db: Executor, filter: RewardFilter, page: PageRequest): Promise<Page<RewardRow>> {
  return listRewardRows(db, filter, page);
}

export async function getReward(db: Executor, id: string): Promise<RewardRow> {
  const reward = await findReward(db, id);
  if (!reward) throw notFound('reward', id);
  return reward;
}
