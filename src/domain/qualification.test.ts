import { describe, expect, it } from 'vitest';
import { decideQualification, type PendingReferral, type QualifyingEvent } from './qualification.ts';
import { DEFAULT_QUALIFICATION, type Qualification } from './reward-rules.ts';

const expiresAt = new Date('2026-07-01T00:00:00Z');
const referral: PendingReferral = { status: 'pending', expiresAt };
const purchase: QualifyingEvent = {
  type: 'purchase',
  occurredAt: new Date('2026-06-20T00:00:00Z'),
  order: { amount: 5000, currency: 'USD' },
  countingPurchases: 1,
  boughtBefore: false,
};
const rule = (overrides: Partial<Qualification> = {}) => ({ ...DEFAULT_QUALIFICATION, ...overrides });

describe('qualification of a pending referral', () => {
  it('qualifies on the first purchase by default', () => {
    expect(decideQualification(referral, rule(), purchase)).toEqual({ outcome: 'qualify' });
  });

  it('expires the referral when the event comes after the window', () => {
    const late = { ...purchase, occurredAt: new Date(expiresAt.getTime() + 1) };
    expect(decideQualification(referral, rule(), late)).toEqual({ outcome: 'expire' });
  });

  it.each(['qualified', 'rejected', 'expired'] as const)('ignores a referral that is %s', (status) => {
    expect(decideQualification({ ...referral, status }, rule(), purchase)).toEqual({
      outcome: 'ignored',
      reason: 'not_pending',
    });
  });

  it('waits for an order of at least the minimum, in its currency', () => {
    const min = rule({ min_order: { amount: 5000, currency: 'USD' } });
    expect(decideQualification(referral, min, purchase)).toEqual({ outcome: 'qualify' });
    for (const order of [
      { amount: 4999, currency: 'USD' },
      { amount: 9000, currency: 'EUR' },
    ]) {
      expect(decideQualification(referral, min, { ...purchase, order })).toEqual({
        outcome: 'wait',
        reason: 'below_minimum_order',
      });
    }
  });

  it('waits for the Nth counting purchase when the rule asks for it', () => {
    const third = rule({ purchase_number: 3 });
    expect(decideQualification(referral, third, { ...purchase, countingPurchases: 2 })).toEqual({
      outcome: 'wait',
      reason: 'not_qualifying_purchase',
    });
    expect(decideQualification(referral, third, { ...purchase, countingPurchases: 3 })).toEqual({
      outcome: 'qualify',
    });
  });

  it('rejects a referee who bought before, when only new customers count', () => {
    const fresh = rule({ new_customers_only: true });
    expect(decideQualification(referral, fresh, { ...purchase, boughtBefore: true })).toEqual({
      outcome: 'reject',
      reason: 'existing_customer',
    });
    expect(decideQualification(referral, rule(), { ...purchase, boughtBefore: true }).outcome).toBe(
      'qualify',
    );
  });

  it('qualifies on the sign-up itself when the rule says so, and never on a purchase then', () => {
    const atSignup = rule({ event: 'signup' });
    const signup: QualifyingEvent = { ...purchase, type: 'signup', order: null, countingPurchases: 0 };
    expect(decideQualification(referral, atSignup, signup)).toEqual({ outcome: 'qualify' });
    expect(decideQualification(referral, atSignup, purchase)).toEqual({
      outcome: 'wait',
      reason: 'qualifies_at_signup',
    });
  });
});
