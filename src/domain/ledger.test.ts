import { describe, expect, it } from 'vitest';
import {
  balancesFrom,
  inKindBalancesFrom,
  isBalanced,
  payoutItemProblems,
  payoutPostings,
  rewardPosting,
  rewardProblems,
} from './ledger.ts';

const cashOf = (participantId: string, currency: string) => ({ participantId, currency, cash: true });
const rewardCreatedPosting = (participantId: string, amount: number, currency: string) =>
  rewardPosting(cashOf(participantId, currency), 'program', 'pending', amount);
const rewardApprovedPosting = (participantId: string, amount: number, currency: string) =>
  rewardPosting(cashOf(participantId, currency), 'pending', 'approved', amount);
const rewardReversedPosting = (participantId: string, amount: number, currency: string, held: boolean) =>
  rewardPosting(cashOf(participantId, currency), held ? 'pending' : 'approved', 'program', amount);

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
      { currency: 'EUR', pending: 50, available: 0, processing: 0, paid: 0 },
      { currency: 'USD', pending: 1000, available: 300, processing: 0, paid: 200 },
    ]);
  });

  it('moves an amount between accounts in every lifecycle posting, each summing to zero', () => {
    const postings = [
      rewardApprovedPosting('par_a', 700, 'USD'),
      rewardReversedPosting('par_a', 300, 'USD', true),
      rewardReversedPosting('par_a', 300, 'USD', false),
      payoutPostings.created('par_a', 900, 'USD'),
      payoutPostings.paid('par_a', 900, 'USD'),
      payoutPostings.canceled('par_a', 900, 'USD'),
    ];
    for (const posting of postings) expect(isBalanced(posting)).toBe(true);
    expect(rewardReversedPosting('par_a', 300, 'USD', false)).toEqual([
      { account: 'program_rewards', participantId: null, currency: 'USD', amount: 300 },
      { account: 'participant_available', participantId: 'par_a', currency: 'USD', amount: -300 },
    ]);
  });

  describe('rewardProblems', () => {
    const reward = {
      id: 'rwd_a',
      status: 'pending' as const,
      amount: 1000,
      reversed_amount: 0,
      currency: 'USD',
      kind: 'cash',
    };
    const created = rewardCreatedPosting('par_a', 1000, 'USD');
    const approved = [...created, ...rewardApprovedPosting('par_a', 1000, 'USD')];

    it('finds nothing wrong with a pending reward held on the pending account', () => {
      expect(rewardProblems(reward, created)).toEqual([]);
    });

    it('finds nothing wrong with approved, issued, partly and fully reversed rewards whose entries match', () => {
      const partly = [...approved, ...rewardReversedPosting('par_a', 250, 'USD', false)];
      const fully = [...created, ...rewardReversedPosting('par_a', 1000, 'USD', true)];

      expect(rewardProblems({ ...reward, status: 'approved' }, approved)).toEqual([]);
      expect(rewardProblems({ ...reward, status: 'issued' }, approved)).toEqual([]);
      expect(rewardProblems({ ...reward, status: 'issued', reversed_amount: 250 }, partly)).toEqual([]);
      expect(rewardProblems({ ...reward, status: 'reversed', reversed_amount: 1000 }, fully)).toEqual([]);
    });

    it('reports a pending reward whose entries hold another amount, or nothing', () => {
      expect(rewardProblems({ ...reward, amount: 1001 }, created)).toEqual([
        {
          kind: 'reward_mismatch',
          id: 'rwd_a',
          detail: 'participant_pending holds 1000 USD; the pending reward of 1001 (0 reversed) needs 1001',
        },
      ]);
      expect(rewardProblems(reward, [])).toHaveLength(1);
    });

    it('reports an approved reward still held, and a reversal the ledger does not show', () => {
      expect(rewardProblems({ ...reward, status: 'approved' }, created).map((p) => p.detail)).toEqual([
        'participant_pending holds 1000 USD; the approved reward of 1000 (0 reversed) needs 0',
        'participant_available holds 0 USD; the approved reward of 1000 (0 reversed) needs 1000',
      ]);
      expect(rewardProblems({ ...reward, reversed_amount: 400 }, created)).toHaveLength(1);
    });

    it.each([
      ['reversed', 999],
      ['pending', 1000],
      ['approved', 1001],
      ['approved', -1],
    ] as const)('reports a %s reward with %i reversed as impossible', (status, reversed) => {
      const problems = rewardProblems({ ...reward, status, reversed_amount: reversed }, created);
      expect(problems).toEqual([
        {
          kind: 'reward_mismatch',
          id: 'rwd_a',
          detail: `a ${status} reward of 1000 cannot have ${reversed} reversed`,
        },
      ]);
    });

    it("reports entries in a currency other than the reward's", () => {
      const problems = rewardProblems(reward, rewardCreatedPosting('par_a', 1000, 'EUR'));

      expect(problems.map((p) => p.detail)).toEqual([
        'participant_pending holds 1000 EUR; the pending reward of 1000 (0 reversed) is in USD',
        'program_rewards holds -1000 EUR; the pending reward of 1000 (0 reversed) is in USD',
        'participant_pending holds 0 USD; the pending reward of 1000 (0 reversed) needs 1000',
      ]);
    });
  });

  describe('payoutItemProblems', () => {
    const item = { payoutId: 'pay_a', status: 'pending' as const, amount: 900, currency: 'USD' };
    const created = payoutPostings.created('par_a', 900, 'USD');

    it('accepts a line as created, paid and canceled', () => {
      const paid = [...created, ...payoutPostings.paid('par_a', 900, 'USD')];
      const canceled = [...created, ...payoutPostings.canceled('par_a', 900, 'USD')];

      expect(payoutItemProblems(item, created)).toEqual([]);
      expect(payoutItemProblems({ ...item, status: 'paid' }, paid)).toEqual([]);
      expect(payoutItemProblems({ ...item, status: 'canceled' }, canceled)).toEqual([]);
    });

    it('reports a paid run whose money never left processing', () => {
      expect(payoutItemProblems({ ...item, status: 'paid' }, created)).toEqual([
        {
          kind: 'payout_mismatch',
          id: 'pay_a',
          detail: 'participant_processing holds 900 USD; the paid payout of 900 needs 0',
        },
        {
          kind: 'payout_mismatch',
          id: 'pay_a',
          detail: 'participant_paid holds 0 USD; the paid payout of 900 needs 900',
        },
      ]);
    });
  });

  describe('rewards in kind', () => {
    const points = { participantId: 'par_a', currency: 'PTS', cash: false };
    const created = rewardPosting(points, 'program', 'pending', 500);
    const approved = [...created, ...rewardPosting(points, 'pending', 'approved', 500)];
    const issued = [...approved, ...rewardPosting(points, 'approved', 'issued', 500)];
    const redeemed = [...issued, ...rewardPosting(points, 'issued', 'redeemed', 500)];
    const reward = { id: 'rwd_p', amount: 500, reversed_amount: 0, currency: 'PTS', kind: 'points' };

    it('never posts to an account a payout run reads', () => {
      const accounts = new Set(redeemed.map((e) => e.account));
      expect([...accounts].sort()).toEqual([
        'in_kind_due',
        'in_kind_issued',
        'in_kind_pending',
        'in_kind_redeemed',
        'program_rewards',
      ]);
      expect(balancesFrom(redeemed)).toEqual([]);
    });

    it('shows where each reward in kind is, per currency', () => {
      const sums = [...issued, ...rewardPosting({ ...points, currency: 'USD' }, 'program', 'pending', 700)];
      expect(inKindBalancesFrom(sums)).toEqual([
        { currency: 'PTS', pending: 0, due: 0, issued: 500, redeemed: 0 },
        { currency: 'USD', pending: 700, due: 0, issued: 0, redeemed: 0 },
      ]);
    });

    it.each([
      ['pending', created],
      ['approved', approved],
      ['issued', issued],
      ['redeemed', redeemed],
    ] as const)('checks a %s reward in kind against its own account', (status, entries) => {
      expect(rewardProblems({ ...reward, status }, entries)).toEqual([]);
      expect(rewardProblems({ ...reward, status, kind: 'cash' }, entries)).not.toEqual([]);
    });

    it('finds a reward in kind that reached the cash accounts', () => {
      const wrong = [...created, ...rewardPosting({ ...points, cash: true }, 'pending', 'approved', 500)];
      expect(rewardProblems({ ...reward, status: 'approved' }, wrong).length).toBeGreaterThan(0);
    });
  });
});
