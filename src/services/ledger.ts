import { type LedgerProblem, rewardProblems } from '../domain/ledger.ts';
import type { Executor } from '../store/executor.ts';
import { countLedger, findUnbalancedPostings, sumRewardAccounts } from '../store/repositories/ledger.ts';
import { listRewardAmounts } from '../store/repositories/rewards.ts';

export interface LedgerReport {
  postings: number;
  entries: number;
  rewards: number;
  problems: LedgerProblem[];
}

/**
 * Checks the ledger's invariants: every posting sums to zero per currency, and every reward's
 * entries match its amount, currency and status. Balances need no check of their own: they are
 * never stored, only summed from these entries.
 */
export async function verifyLedger(db: Executor): Promise<LedgerReport> {
  const problems: LedgerProblem[] = (await findUnbalancedPostings(db)).map((p) => ({
    kind: 'unbalanced_posting',
    id: p.postingId,
    detail: `entries sum to ${p.total} ${p.currency}, not 0`,
  }));
  const sumsByReward = new Map<string, Awaited<ReturnType<typeof sumRewardAccounts>>>();
  for (const sum of await sumRewardAccounts(db)) {
    const sums = sumsByReward.get(sum.rewardId) ?? [];
    sums.push(sum);
    sumsByReward.set(sum.rewardId, sums);
  }
  const rewards = await listRewardAmounts(db);
  for (const reward of rewards) {
    problems.push(...rewardProblems(reward, sumsByReward.get(reward.id) ?? []));
    sumsByReward.delete(reward.id);
  }
  for (const rewardId of sumsByReward.keys()) {
    problems.push({
      kind: 'unknown_reward',
      id: rewardId,
      detail: 'ledger entries name a reward that does not exist',
    });
  }
  return { ...(await countLedger(db)), rewards: rewards.length, problems };
}
