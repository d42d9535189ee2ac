import { describe, expect, it } from 'vitest';
import { balancesFrom, isBalanced, rewardCreatedPosting } from './ledger.ts';

describe('ledger', () => {
  it('funds a new reward from the program, so the posting sums to zero', () => {
    const posting = rewardCreatedPosting('par_a', 1500, 'EUR');
    expect(posting).toEqual([
      { account: 'participant_pending', participantId: 'par_a', currency: 'EUR', amount: 1500 },
      { account: 'program_rewards', participantId: null, currency: 'EUR', amount: -1500 },
    ]);
    expect(isBalanced(posting)).toBe(true);
  });

  it('sees a posting that does not sum to zero in some currency as unbalanced', () => {
    expect(
      isBalanced([
        { account: 'participant_pending', participantId: 'p', currency: 'USD', amount: 10 },
        { account: 'program_rewards', participantId: null, currency: 'EUR', amount: -10 },
      ]),
    ).toBe(false);
  });

  it('derives one balance per currency from account sums, ignoring program accounts', () => {
    expect(
      balancesFrom([
        { account: 'participant_pending', currency: 'USD', amount: 1000 },
        { account: 'participant_available', currency: 'USD', amount: 300 },
        { account: 'participant_paid', currency: 'USD', amount: 200 },
        { account: 'participant_pending', currency: 'EUR', amount: 50 },
        { account: 'program_rewards', currency: 'USD', amount: -1500 },
      ]),
    ).toEqual([
      { currency: 'EUR', pending: 50, available: 0, paid: 0 },
      { currency: 'USD', pending: 1000, available: 300, paid: 200 },
    ]);
  });
});
