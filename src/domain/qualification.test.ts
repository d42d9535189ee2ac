import { describe, expect, it } from 'vitest';
import { decideQualification, type PendingReferral, type ProgramRewards } from './qualification.ts';

const expiresAt = new Date('2026-07-01T00:00:00Z');
const referral: PendingReferral = { status: 'pending', referrerId: 'par_a', refereeId: 'par_b', expiresAt };
const twoSided: ProgramRewards = {
  referrer: { amount: 1000, currency: 'USD' },
  referee: { amount: 500, currency: 'USD' },
};

describe('qualification of a referral by a purchase', () => {
  it('earns both sides their program reward', () => {
    expect(decideQualification(referral, twoSided, new Date('2026-06-20T00:00:00Z'))).toEqual({
      outcome: 'qualify',
      rewards: [
        { side: 'referrer', participantId: 'par_a', amount: 1000, currency: 'USD' },
        { side: 'referee', participantId: 'par_b', amount: 500, currency: 'USD' },
      ],
    });
  });

  it('earns only the side a one-sided program rewards', () => {
    const decision = decideQualification(referral, { referrer: null, referee: twoSided.referee }, expiresAt);
    expect(decision).toEqual({
      outcome: 'qualify',
      rewards: [{ side: 'referee', participantId: 'par_b', amount: 500, currency: 'USD' }],
    });
  });

  it('expires the referral when the purchase comes after the window', () => {
    expect(decideQualification(referral, twoSided, new Date(expiresAt.getTime() + 1))).toEqual({
      outcome: 'expire',
    });
  });

  it.each(['qualified', 'rejected', 'expired'] as const)('ignores a referral that is %s', (status) => {
    expect(decideQualification({ ...referral, status }, twoSided, expiresAt)).toEqual({
      outcome: 'ignored',
      reason: 'not_pending',
    });
  });
});
