import { describe, expect, it } from 'vitest';
import { decideApproval, decideReversal, holdEndsAt, refundClawback } from './reward-lifecycle.ts';

const reward = { status: 'pending' as const, amount: 1000, reversedAmount: 0 };

describe('reward lifecycle', () => {
  it('approves a held reward for what is left of it, and nothing else', () => {
    expect(decideApproval({ ...reward, reversedAmount: 250 })).toEqual({ outcome: 'approve', amount: 750 });
    expect(decideApproval({ ...reward, status: 'approved' })).toEqual({
      outcome: 'refused',
      reason: 'not_pending',
    });
    expect(decideApproval({ ...reward, status: 'reversed', reversedAmount: 1000 }).outcome).toBe('refused');
  });

  it('reverses from the pending balance while held and from the available one after', () => {
    expect(decideReversal(reward, 400)).toEqual({
      outcome: 'reverse',
      amount: 400,
      held: true,
      status: 'pending',
    });
    expect(decideReversal({ ...reward, status: 'issued' }, 1000)).toEqual({
      outcome: 'reverse',
      amount: 1000,
      held: false,
      status: 'reversed',
    });
  });

  it('refuses to reverse more than is left, or a reward already reversed', () => {
    expect(decideReversal({ ...reward, reversedAmount: 700 }, 301)).toEqual({
      outcome: 'refused',
      reason: 'exceeds_reward',
    });
    expect(decideReversal({ ...reward, status: 'reversed', reversedAmount: 1000 }, 1)).toEqual({
      outcome: 'refused',
      reason: 'already_reversed',
    });
  });

  describe('refundClawback', () => {
    it('claws back the refunded share of the order, rounded half up', () => {
      expect(refundClawback(reward, 10_000, 2_500)).toBe(250);
      expect(refundClawback({ ...reward, amount: 1 }, 2, 1)).toBe(1);
      expect(refundClawback({ ...reward, amount: 999 }, 3, 1)).toBe(333);
    });

    it('adds partial refunds up to exactly the whole reward', () => {
      const order = 9_999;
      let state = { ...reward, amount: 1_001 };
      let refunded = 0;
      for (const part of [3_333, 3_333, 3_333]) {
        refunded += part;
        const back = refundClawback(state, order, refunded);
        state = { ...state, reversedAmount: state.reversedAmount + back };
      }
      expect(state.reversedAmount).toBe(1_001);
    });

    it('claws back nothing more when earlier reversals cover the share', () => {
      expect(refundClawback({ ...reward, reversedAmount: 600 }, 10_000, 5_000)).toBe(0);
      expect(refundClawback(reward, 0, 0)).toBe(0);
    });

    it('stays exact for orders whose product passes 2^53', () => {
      const big = 1_000_000_000_000;
      expect(refundClawback({ ...reward, amount: big }, big, big - 1)).toBe(big - 1);
    });
  });

  it('ends the hold the given number of days after the reward was earned', () => {
    expect(holdEndsAt(new Date('2026-01-31T10:00:00Z'), 30).toISOString()).toBe('2026-03-02T10:00:00.000Z');
  });
});
