/**
 * Double-entry ledger rules. A posting is a set of entries per currency that sums to zero;
 * balances are only ever sums of entries.
 */

export type AccountKind =
  | 'participant_pending'
  | 'participant_available'
  | 'participant_paid'
  | 'program_rewards';

export interface EntryDraft {
  account: AccountKind;
  participantId: string | null;
  currency: string;
  amount: number;
}

export interface Balance {
  currency: string;
  pending: number;
  available: number;
  paid: number;
}

/** A new reward is owed to the participant but held: the program's reward account funds it. */
export function rewardCreatedPosting(participantId: string, amount: number, currency: string): EntryDraft[] {
  return [
    { account: 'participant_pending', participantId, currency, amount },
    { account: 'program_rewards', participantId: null, currency, amount: -amount },
  ];
}

export function isBalanced(entries: readonly EntryDraft[]): boolean {
  const sums = new Map<string, number>();
  for (const e of entries) sums.set(e.currency, (sums.get(e.currency) ?? 0) + e.amount);
  return [...sums.values()].every((sum) => sum === 0);
}

const BALANCE_FIELD: Partial<Record<AccountKind, keyof Omit<Balance, 'currency'>>> = {
  participant_pending: 'pending',
  participant_available: 'available',
  participant_paid: 'paid',
};

/** Folds per-account sums into one balance per currency, sorted by currency. */
export function balancesFrom(
  sums: readonly { account: string; currency: string; amount: number }[],
): Balance[] {
  const byCurrency = new Map<string, Balance>();
  for (const { account, currency, amount } of sums) {
    const field = BALANCE_FIELD[account as AccountKind];
    if (!field) continue;
    const balance = byCurrency.get(currency) ?? { currency, pending: 0, available: 0, paid: 0 };
    balance[field] += amount;
    byCurrency.set(currency, balance);
  }
  return [...byCurrency.values()].sort((a, b) => a.currency.localeCompare(b.currency));
}

export type RewardStatus = 'pending' | 'approved' | 'issued' | 'redeemed' | 'reversed';

/** A broken invariant found by `vouch ledger verify`. */
export interface LedgerProblem {
  kind: 'unbalanced_posting' | 'reward_mismatch' | 'unknown_reward' | 'unchecked_status';
  /** The posting or reward at fault. */
  id: string;
  detail: string;
}

const PARTICIPANT_ACCOUNTS = ['participant_pending', 'participant_available', 'participant_paid'] as const;

/**
 * What a reward's entries must sum to on each participant account, given its status; null for a
 * status this engine does not produce yet, which is reported rather than guessed at.
 */
export function expectedRewardAccounts(
  status: RewardStatus,
  amount: number,
): Partial<Record<AccountKind, number>> | null {
  return status === 'pending' ? { participant_pending: amount } : null;
}

/** Checks one reward's entries (summed per account and currency) against its status and amount. */
export function rewardProblems(
  reward: { id: string; status: RewardStatus; amount: number; currency: string },
  sums: readonly { account: string; currency: string; amount: number }[],
): LedgerProblem[] {
  const expected = expectedRewardAccounts(reward.status, reward.amount);
  if (!expected) {
    return [
      { kind: 'unchecked_status', id: reward.id, detail: `no ledger rule for status ${reward.status}` },
    ];
  }
  const problems: LedgerProblem[] = [];
  for (const sum of sums) {
    if (sum.currency !== reward.currency && sum.amount !== 0) {
      const detail = `${sum.account} holds ${sum.amount} ${sum.currency}; the reward is in ${reward.currency}`;
      problems.push({ kind: 'reward_mismatch', id: reward.id, detail });
    }
  }
  for (const account of PARTICIPANT_ACCOUNTS) {
    const actual = sums
      .filter((s) => s.account === account && s.currency === reward.currency)
      .reduce((total, s) => total + s.amount, 0);
    const want = expected[account] ?? 0;
    if (actual !== want) {
      const detail = `${account} holds ${actual} ${reward.currency}; a ${reward.status} reward of ${reward.amount} needs ${want}`;
      problems.push({ kind: 'reward_mismatch', id: reward.id, detail });
    }
  }
  return problems;
}
