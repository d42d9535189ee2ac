/**
 * Double-entry ledger rules. A posting is a set of entries per currency that sums to zero;
 * balances are only ever sums of entries.
 */

export type AccountKind =
  | 'participant_pending'
  | 'participant_available'
  | 'participant_processing'
  | 'participant_paid'
  | 'program_rewards'
  // Rewards in kind (credit, codes, points, tasks) never touch the cash accounts above, so a
  // payout run, which reads only those, cannot pay them in cash.
  | 'in_kind_pending'
  | 'in_kind_due'
  | 'in_kind_issued'
  | 'in_kind_redeemed';

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

export type RewardStatus = 'pending' | 'approved' | 'issued' | 'redeemed' | 'reversed';

/** Where a reward's kept amount can sit: the program before it is earned or after it is clawed back. */
export type RewardPlace = Exclude<RewardStatus, 'reversed'> | 'program';

const CASH_ACCOUNTS: Record<Exclude<RewardPlace, 'program'>, AccountKind> = {
  pending: 'participant_pending',
  // Payouts move cash per participant, not per reward: a paid reward's own entries stay here.
  approved: 'participant_available',
  issued: 'participant_available',
  redeemed: 'participant_available',
};

const IN_KIND_ACCOUNTS: Record<Exclude<RewardPlace, 'program'>, AccountKind> = {
  pending: 'in_kind_pending',
  approved: 'in_kind_due',
  issued: 'in_kind_issued',
  redeemed: 'in_kind_redeemed',
};

/** The account a reward's kept amount is on at each place; cash and rewards in kind never share one. */
export function rewardAccount(cash: boolean, place: RewardPlace): AccountKind {
  if (place === 'program') return 'program_rewards';
  return (cash ? CASH_ACCOUNTS : IN_KIND_ACCOUNTS)[place];
}

/** Whose reward it is, in what currency, and whether it is cash. */
export interface RewardHolder {
  participantId: string;
  currency: string;
  cash: boolean;
}

/**
 * Moves (part of) a reward: from the program to pending when earned, on through its lifecycle,
 * and back to the program on a clawback. A clawback from the available balance of a paid cash
 * reward drives that balance negative: future rewards offset it.
 */
export function rewardPosting(
  holder: RewardHolder,
  from: RewardPlace,
  to: RewardPlace,
  amount: number,
): EntryDraft[] {
  return transfer(
    rewardAccount(holder.cash, from),
    rewardAccount(holder.cash, to),
    holder.participantId,
    amount,
    holder.currency,
  );
}

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

/** A participant's rewards in kind per currency: held, due for delivery, delivered, and used. */
export interface InKindBalance {
  currency: string;
  pending: number;
  due: number;
  issued: number;
  redeemed: number;
}

const BALANCE_FIELD: Partial<Record<AccountKind, keyof Omit<Balance, 'currency'>>> = {
  participant_pending: 'pending',
  participant_available: 'available',
  participant_processing: 'processing',
  participant_paid: 'paid',
};

const IN_KIND_FIELD: Partial<Record<AccountKind, keyof Omit<InKindBalance, 'currency'>>> = {
  in_kind_pending: 'pending',
  in_kind_due: 'due',
  in_kind_issued: 'issued',
  in_kind_redeemed: 'redeemed',
};

/** Folds per-account sums into one balance per currency, sorted by currency. */
function fold<B extends { currency: string }>(
  sums: readonly { account: string; currency: string; amount: number }[],
  fields: Partial<Record<AccountKind, keyof Omit<B, 'currency'>>>,
  empty: Omit<B, 'currency'>,
): B[] {
  const byCurrency = new Map<string, B>();
  for (const { account, currency, amount } of sums) {
    const field = fields[account as AccountKind];
    if (!field) continue;
    const balance = byCurrency.get(currency) ?? ({ currency, ...empty } as B);
    (balance[field] as number) += amount;
    byCurrency.set(currency, balance);
  }
  return [...byCurrency.values()].sort((a, b) => a.currency.localeCompare(b.currency));
}

/** Cash balances, from the participant's cash accounts. */
export const balancesFrom = (sums: readonly AccountSum[]): Balance[] =>
  fold<Balance>(sums, BALANCE_FIELD, { pending: 0, available: 0, processing: 0, paid: 0 });

/** Rewards in kind, from the participant's in-kind accounts; points balances are `issued` in PTS. */
export const inKindBalancesFrom = (sums: readonly AccountSum[]): InKindBalance[] =>
  fold<InKindBalance>(sums, IN_KIND_FIELD, { pending: 0, due: 0, issued: 0, redeemed: 0 });

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
  'in_kind_pending',
  'in_kind_due',
  'in_kind_issued',
  'in_kind_redeemed',
] as const;

/** What a reward's own entries must sum to on each participant account: all it kept, on one. */
export function expectedRewardAccounts(
  status: RewardStatus,
  amount: number,
  reversedAmount: number,
  cash: boolean,
): Expected {
  if (status === 'reversed') return {};
  return { [rewardAccount(cash, status)]: amount - reversedAmount };
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
  reward: {
    id: string;
    status: RewardStatus;
    amount: number;
    reversed_amount: number;
    currency: string;
    kind: string;
  },
  sums: readonly AccountSum[],
): LedgerProblem[] {
  const { id, status, amount, reversed_amount: reversed, currency } = reward;
  const cash = reward.kind === 'cash';
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
    expectedRewardAccounts(status, amount, reversed, cash),
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
