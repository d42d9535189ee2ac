/**
 * Double-entry ledger rules. A posting is a set of entries per currency that sums to zero;
 * balances are only ever sums of entries.
 */

export type AccountKind =
  | 'participant_pending'
  | 'participant_available'
  | 'participant_processing'
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
  /** Earned, still in its hold period. */
  pending: number;
  /** Approved and not yet in a payout run; negative when a paid reward was clawed back. */
  available: number;
  /** In a payout run that is not confirmed yet. */
  processing: number;
  paid: number;
}

/** Moves an amount between two accounts: every posting here has this shape. */
function transfer(
  from: AccountKind,
  to: AccountKind,
  participantId: string,
  amount: number,
  currency: string,
): EntryDraft[] {
  const owner = (account: AccountKind) => (account === 'program_rewards' ? null : participantId);
  return [
    { account: to, participantId: owner(to), currency, amount },
    { account: from, participantId: owner(from), currency, amount: -amount },
  ];
}

/** A new reward is owed to the participant but held: the program's reward account funds it. */
export const rewardCreatedPosting = (participantId: string, amount: number, currency: string) =>
  transfer('program_rewards', 'participant_pending', participantId, amount, currency);

/** The hold is over: what is left of the reward becomes available for payout. */
export const rewardApprovedPosting = (participantId: string, amount: number, currency: string) =>
  transfer('participant_pending', 'participant_available', participantId, amount, currency);

/**
 * A clawback returns the amount to the program from where the reward sits now. Taken from the
 * available balance it may drive that negative (the reward was paid): future rewards offset it.
 */
export const rewardReversedPosting = (
  participantId: string,
  amount: number,
  currency: string,
  held: boolean,
) =>
  transfer(
    held ? 'participant_pending' : 'participant_available',
    'program_rewards',
    participantId,
    amount,
    currency,
  );

/** A participant's line in a payout run, as it is created, confirmed paid, or canceled. */
export const payoutPostings = {
  created: (participantId: string, amount: number, currency: string) =>
    transfer('participant_available', 'participant_processing', participantId, amount, currency),
  paid: (participantId: string, amount: number, currency: string) =>
    transfer('participant_processing', 'participant_paid', participantId, amount, currency),
  canceled: (participantId: string, amount: number, currency: string) =>
    transfer('participant_processing', 'participant_available', participantId, amount, currency),
};

export function isBalanced(entries: readonly EntryDraft[]): boolean {
  const sums = new Map<string, number>();
  for (const e of entries) sums.set(e.currency, (sums.get(e.currency) ?? 0) + e.amount);
  return [...sums.values()].every((sum) => sum === 0);
}

const BALANCE_FIELD: Partial<Record<AccountKind, keyof Omit<Balance, 'currency'>>> = {
  participant_pending: 'pending',
  participant_available: 'available',
  participant_processing: 'processing',
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
    const balance = byCurrency.get(currency) ?? {
      currency,
      pending: 0,
      available: 0,
      processing: 0,
      paid: 0,
    };
    balance[field] += amount;
    byCurrency.set(currency, balance);
  }
  return [...byCurrency.values()].sort((a, b) => a.currency.localeCompare(b.currency));
}

export type RewardStatus = 'pending' | 'approved' | 'issued' | 'redeemed' | 'reversed';

/** A broken invariant found by `vouch ledger verify`. */
export interface LedgerProblem {
  kind: 'unbalanced_posting' | 'reward_mismatch' | 'unknown_reward' | 'payout_mismatch';
  /** The posting, reward or payout at fault. */
  id: string;
  detail: string;
}

export interface AccountSum {
  account: string;
  currency: string;
  amount: number;
}

type Expected = Partial<Record<AccountKind, number>>;

const PARTICIPANT_ACCOUNTS = [
  'participant_pending',
  'participant_available',
  'participant_processing',
  'participant_paid',
] as const;

/**
 * What a reward's own entries must sum to on each participant account. Payouts move balances
 * per participant, not per reward, so a paid reward still shows on `available` here.
 */
export function expectedRewardAccounts(
  status: RewardStatus,
  amount: number,
  reversedAmount: number,
): Expected {
  const kept = amount - reversedAmount;
  if (status === 'pending') return { participant_pending: kept };
  if (status === 'reversed') return {};
  return { participant_available: kept };
}

/** What one participant's line in a payout run must have moved, given the run's status. */
export function expectedPayoutAccounts(status: 'pending' | 'paid' | 'canceled', amount: number): Expected {
  if (status === 'pending') return { participant_available: -amount, participant_processing: amount };
  if (status === 'paid') return { participant_available: -amount, participant_paid: amount };
  return {};
}

/** Compares summed entries with what they should be; `what` names the record in each detail. */
function accountProblems(
  kind: LedgerProblem['kind'],
  id: string,
  what: string,
  currency: string,
  expected: Expected,
  sums: readonly AccountSum[],
): LedgerProblem[] {
  const problems: LedgerProblem[] = [];
  for (const sum of sums) {
    if (sum.currency !== currency && sum.amount !== 0) {
      const detail = `${sum.account} holds ${sum.amount} ${sum.currency}; the ${what} is in ${currency}`;
      problems.push({ kind, id, detail });
    }
  }
  for (const account of PARTICIPANT_ACCOUNTS) {
    const actual = sums
      .filter((s) => s.account === account && s.currency === currency)
      .reduce((total, s) => total + s.amount, 0);
    const want = expected[account] ?? 0;
    if (actual !== want) {
      problems.push({
        kind,
        id,
        detail: `${account} holds ${actual} ${currency}; the ${what} needs ${want}`,
      });
    }
  }
  return problems;
}

/** Checks one reward's entries (summed per account and currency) against its status and amounts. */
export function rewardProblems(
  reward: { id: string; status: RewardStatus; amount: number; reversed_amount: number; currency: string },
  sums: readonly AccountSum[],
): LedgerProblem[] {
  const { id, status, amount, reversed_amount: reversed, currency } = reward;
  const fullyReversed = reversed === amount && amount > 0;
  if (reversed < 0 || reversed > amount || (status === 'reversed') !== fullyReversed) {
    const detail = `a ${status} reward of ${amount} cannot have ${reversed} reversed`;
    return [{ kind: 'reward_mismatch', id, detail }];
  }
  const what = `${status} reward of ${amount} (${reversed} reversed)`;
  return accountProblems(
    'reward_mismatch',
    id,
    what,
    currency,
    expectedRewardAccounts(status, amount, reversed),
    sums,
  );
}

/** Checks one participant's line of a payout run against the run's status. */
export function payoutItemProblems(
  item: { payoutId: string; status: 'pending' | 'paid' | 'canceled'; amount: number; currency: string },
  sums: readonly AccountSum[],
): LedgerProblem[] {
  const what = `${item.status} payout of ${item.amount}`;
  const expected = expectedPayoutAccounts(item.status, item.amount);
  return accountProblems('payout_mismatch', item.payoutId, what, item.currency, expected, sums);
}
