import { describe, expect, it } from 'vitest';
import { decideQualification, type PendingReferral, type QualifyingEvent } from './qualification.ts';
import { DEFAULT_QUALIFICATION, type Qualification } from './reward-rules.ts';

const expiresAt = new Date('2026-07-01T00:00:00Z');
const signedUpAt = new Date('2026-06-10T12:00:00Z');
const referral: PendingReferral = { status: 'pending', expiresAt, signedUpAt };
const purchase: QualifyingEvent = {
  type: 'purchase',
  name: null,
  occurredAt: new Date('2026-06-20T00:00:00Z'),
  order: { amount: 5000, currency: 'USD' },
  countingPurchases: 1,
  boughtBefore: false,
};
const usd = (amount: number) => ({ amount, currency: 'USD' });
const rule = (overrides: Partial<Qualification> = {}) => ({ ...DEFAULT_QUALIFICATION, ...overrides });

describe('qualification of a pending referral', () => {
  it('qualifies on the first purchase by default', () => {
    expect(decideQualification(referral, rule(), purchase)).toEqual({ outcome: 'qualify' });
  });

  it('expires the referral when the event comes after the window', () => {
    const late = { ...purchase, occurredAt: new Date(expiresAt.getTime() + 1) };
    expect(decideQualification(referral, rule(), late)).toEqual({
      outcome: 'expire',
      reason: 'outside_window',
    });
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

  describe('a custom event', () => {
    const custom: QualifyingEvent = { ...purchase, type: 'custom', name: 'trial_converted', order: null };
    const onCustom = rule({ event: 'custom', event_name: 'trial_converted' });

    it('qualifies on the named custom event, with or without an order', () => {
      expect(decideQualification(referral, onCustom, custom)).toEqual({ outcome: 'qualify' });
      expect(decideQualification(referral, onCustom, { ...custom, order: usd(100) })).toEqual({
        outcome: 'qualify',
      });
    });

    it('waits on a custom event of another name, and on purchases', () => {
      const waiting = { outcome: 'wait', reason: 'not_qualifying_event' };
      expect(decideQualification(referral, onCustom, { ...custom, name: 'trial_started' })).toEqual(waiting);
      expect(decideQualification(referral, onCustom, purchase)).toEqual(waiting);
    });

    it('never qualifies a purchase rule', () => {
      expect(decideQualification(referral, rule(), custom)).toEqual({
        outcome: 'wait',
        reason: 'not_qualifying_event',
      });
    });

    it('still applies the minimum order and new customers only', () => {
      const min = rule({ ...onCustom, min_order: usd(5000) });
      expect(decideQualification(referral, min, custom)).toEqual({
        outcome: 'wait',
        reason: 'below_minimum_order',
      });
      expect(decideQualification(referral, min, { ...custom, order: usd(5000) })).toEqual({
        outcome: 'qualify',
      });
      const fresh = rule({ ...onCustom, new_customers_only: true });
      expect(decideQualification(referral, fresh, { ...custom, boughtBefore: true })).toEqual({
        outcome: 'reject',
        reason: 'existing_customer',
      });
    });
  });

  describe('within N days of the sign-up', () => {
    const withinTen = rule({ within_days: 10 });
    const deadline = signedUpAt.getTime() + 10 * 86_400_000;
    const at = (ms: number) => ({ ...purchase, occurredAt: new Date(ms) });

    it('counts day N up to its last millisecond, and not one more', () => {
      expect(decideQualification(referral, withinTen, at(deadline))).toEqual({ outcome: 'qualify' });
      expect(decideQualification(referral, withinTen, at(deadline + 1))).toEqual({
        outcome: 'expire',
        reason: 'outside_qualification_period',
      });
    });

    it('expires on any event past the period, qualifying or not', () => {
      const custom = { ...at(deadline + 1), type: 'custom' as const, name: 'other' };
      expect(decideQualification(referral, withinTen, custom)).toEqual({
        outcome: 'expire',
        reason: 'outside_qualification_period',
      });
    });

    it('says outside_window when the attribution window ended first', () => {
      const long = rule({ within_days: 365 });
      expect(decideQualification(referral, long, at(expiresAt.getTime() + 1))).toEqual({
        outcome: 'expire',
        reason: 'outside_window',
      });
    });

    it('sets no limit when null', () => {
      const noPeriod = { ...referral, signedUpAt: null };
      expect(decideQualification(noPeriod, rule(), at(deadline + 1))).toEqual({ outcome: 'qualify' });
    });
  });
});
