import { describe, expect, it } from 'vitest';
import {
  decideApproval,
  decideRedemption,
  decideReinstatement,
  decideReversal,
  holdEndsAt,
  refundClawback,
} from './reward-lifecycle.ts';

const reward = { status: 'pending' as const, amount: 1000, reversedAmount: 0, kind: 'cash' as const };

describe('reward lifecycle', () => {
  it('approves a held reward for what is left of it, and nothing else', () => {
    expect(decideApproval({ ...reward, reversedAmount: 250 })).toEqual({ outcome: 'approve', amount: 750 });
    expect(decideApproval({ ...reward, status: 'approved' })).toEqual({
      outcome: 'refused',
      reason: 'not_pending',
    });
    expect(decideApproval({ ...reward, status: 'reversed', reversedAmount: 1000 }).outcome).toBe('refused');
  });

  it('reverses from where the reward sits now', () => {
    expect(decideReversal(reward, 400)).toEqual({
      outcome: 'reverse',
      amount: 400,
      from: 'pending',
      status: 'pending',
    });
    expect(decideReversal({ ...reward, status: 'issued' }, 1000)).toEqual({
      outcome: 'reverse',
      amount: 1000,
      from: 'issued',
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

  describe('decideReinstatement', () => {
    const none = { approvedAt: null, issuedAt: null };
    const at = '2026-01-01T00:00:00.000Z';

    it('gives back what a reversal took to where a partly kept reward sits', () => {
      const kept = { ...reward, status: 'approved' as const, reversedAmount: 400 };
      expect(decideReinstatement(kept, { approvedAt: at, issuedAt: null }, 400)).toEqual({
        outcome: 'reinstate',
        amount: 400,
        status: 'approved',
      });
    });

    it('returns a reward reversed whole to the status it had reached', () => {
      const gone = { ...reward, status: 'reversed' as const, reversedAmount: 1000 };
      expect(decideReinstatement(gone, none, 1000)).toMatchObject({ status: 'pending' });
      expect(decideReinstatement(gone, { approvedAt: at, issuedAt: null }, 1000)).toMatchObject({
        status: 'approved',
      });
      expect(decideReinstatement(gone, { approvedAt: at, issuedAt: at }, 600)).toEqual({
        outcome: 'reinstate',
        amount: 600,
        status: 'issued',
      });
    });

    it('never gives back more than is reversed, and nothing when nothing is', () => {
      expect(decideReinstatement({ ...reward, reversedAmount: 300 }, none, 500)).toMatchObject({
        amount: 300,
      });
      expect(decideReinstatement(reward, none, 500)).toEqual({
        outcome: 'refused',
        reason: 'nothing_reversed',
      });
      expect(decideReinstatement({ ...reward, reversedAmount: 300 }, none, 0).outcome).toBe('refused');
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

  describe('rewards in kind', () => {
    const coupon = { ...reward, kind: 'coupon' as const, status: 'issued' as const };

    it('claws back a code whole or not at all', () => {
      expect(decideReversal(coupon, 999)).toEqual({ outcome: 'refused', reason: 'not_divisible' });
      expect(decideReversal(coupon, 1000)).toMatchObject({ outcome: 'reverse', status: 'reversed' });
      expect(decideReversal({ ...coupon, kind: 'points' }, 1)).toMatchObject({ outcome: 'reverse' });
    });

    it('takes a code back only on a full refund of its order', () => {
      expect(refundClawback(coupon, 10_000, 9_999)).toBe(0);
      expect(refundClawback(coupon, 10_000, 10_000)).toBe(1000);
      expect(refundClawback({ ...coupon, kind: 'credit' }, 10_000, 5_000)).toBe(500);
    });

    it('never claws back what was redeemed', () => {
      const used = { ...coupon, status: 'redeemed' as const };
      expect(decideReversal(used, 1000)).toEqual({ outcome: 'refused', reason: 'redeemed' });
      expect(refundClawback(used, 10_000, 10_000)).toBe(0);
    });

    it.each([
      ['coupon', 'issued', { outcome: 'redeem', amount: 1000 }],
      ['points', 'issued', { outcome: 'redeem', amount: 1000 }],
      ['coupon', 'approved', { outcome: 'refused', reason: 'not_issued' }],
      ['coupon', 'redeemed', { outcome: 'refused', reason: 'not_issued' }],
      ['cash', 'issued', { outcome: 'refused', reason: 'not_redeemable' }],
      ['custom', 'issued', { outcome: 'refused', reason: 'not_redeemable' }],
    ] as const)('redeems a %s reward that is %s: %o', (kind, status, decision) => {
      expect(decideRedemption({ ...reward, kind, status })).toEqual(decision);
    });
  });
});
