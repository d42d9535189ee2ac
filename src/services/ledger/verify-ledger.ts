import {
  type AccountSum,
  type LedgerProblem,
  payoutItemProblems,
  rewardProblems,
} from '../../domain/ledger.ts';
import type { Executor } from '../../store/executor.ts';
import {
  countLedger,
  findUnbalancedPostings,
  sumPayoutAccounts,
  sumRewardAccounts,
} from '../../store/repositories/ledger.ts';
import { listPayoutItemAmounts } from '../../store/repositories/payouts.ts';
import { listRewardAmounts } from '../../store/repositories/rewards.ts';

export interface LedgerReport {
  postings: number;
  entries: number;
  rewards: number;
  problems: LedgerProblem[];
}

/**
 * Checks the ledger's invariants: every posting sums to zero per currency, every reward's
 * entries match its amount, reversals, currency and status, and every payout line's entries match
 * its run's status. Balances need no check of their own: they are never stored, only summed from
 * these entries.
 */
export async function verifyLedger(db: Executor): Promise<LedgerReport> {
  const problems: LedgerProblem[] = (await findUnbalancedPostings(db)).map((p) => ({
    kind: 'unbalanced_posting',
    id: p.postingId,
    detail: `entries sum to ${p.total} ${p.currency}, not 0`,
  }));
  const sumsByReward = groupBy(await sumRewardAccounts(db), (sum) => sum.rewardId);
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
  const sumsByLine = groupBy(await sumPayoutAccounts(db), (sum) => `${sum.payoutId} ${sum.participantId}`);
  for (const item of await listPayoutItemAmounts(db)) {
    const sums = sumsByLine.get(`${item.payoutId} ${item.participantId}`) ?? [];
    problems.push(...payoutItemProblems(item, sums));
  }
  return { ...(await countLedger(db)), rewards: rewards.length, problems };
}

function groupBy<T extends AccountSum>(sums: T[], key: (sum: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const sum of sums) {
    const group = groups.get(key(sum)) ?? [];
    group.push(sum);
    groups.set(key(sum), group);
  }
  return groups;
}
