import { describe, expect, it } from 'vitest';
import { balancesFrom, isBalanced, rewardCreatedPosting, rewardProblems } from './ledger.ts';

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

  describe('rewardProblems', () => {
    const reward = { id: 'rwd_a', status: 'pending' as const, amount: 1000, currency: 'USD' };
    const created = rewardCreatedPosting('par_a', 1000, 'USD');

    it('finds nothing wrong with a pending reward held on the pending account', () => {
      expect(rewardProblems(reward, created)).toEqual([]);
    });

    it('reports a pending reward whose entries hold another amount, or nothing', () => {
      expect(rewardProblems({ ...reward, amount: 1001 }, created)).toEqual([
        {
          kind: 'reward_mismatch',
          id: 'rwd_a',
          detail: 'participant_pending holds 1000 USD; a pending reward of 1001 needs 1001',
        },
      ]);
      expect(rewardProblems(reward, [])).toHaveLength(1);
    });

    it("reports entries in a currency other than the reward's", () => {
      const problems = rewardProblems(reward, rewardCreatedPosting('par_a', 1000, 'EUR'));

      expect(problems.map((p) => p.detail)).toEqual([
        'participant_pending holds 1000 EUR; the reward is in USD',
        'program_rewards holds -1000 EUR; the reward is in USD',
        'participant_pending holds 0 USD; a pending reward of 1000 needs 1000',
      ]);
    });

    it('reports a status it has no rule for instead of passing it', () => {
      expect(rewardProblems({ ...reward, status: 'issued' }, created)).toEqual([
        { kind: 'unchecked_status', id: 'rwd_a', detail: 'no ledger rule for status issued' },
      ]);
    });
  });
});
