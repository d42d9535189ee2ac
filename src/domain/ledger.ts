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
