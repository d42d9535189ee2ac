import { describe, expect, it } from 'vitest';
import { type AttributionTouch, decideAttribution, type SignupFacts } from './attribution.ts';

const DAY = 86_400_000;
const signupAt = new Date('2026-06-15T12:00:00Z');

const touch = (overrides: Partial<AttributionTouch> = {}): AttributionTouch => ({
  method: 'click',
  code: 'ABCD2345',
  clickId: 'clk_1',
  touchedAt: new Date(signupAt.getTime() - DAY),
  referrer: { id: 'par_referrer', externalId: 'alice', email: 'Alice@Example.com', status: 'active' },
  ...overrides,
});

const signup = (overrides: Partial<SignupFacts> = {}): SignupFacts => ({
  customerExternalId: 'bob',
  customerEmail: 'bob@example.com',
  occurredAt: signupAt,
  windowDays: 30,
  programActive: true,
  alreadyReferred: false,
  ...overrides,
});

describe('attribution of a sign-up', () => {
  it('creates a referral that expires one window after the sign-up', () => {
    expect(decideAttribution(touch(), signup())).toEqual({
      outcome: 'create',
      method: 'click',
      expiresAt: new Date(signupAt.getTime() + 30 * DAY),
    });
  });

  it('accepts a typed code, which has no click time', () => {
    const decision = decideAttribution(touch({ method: 'code', clickId: null, touchedAt: null }), signup());
    expect(decision).toMatchObject({ outcome: 'create', method: 'code' });
  });

  it.each([
    ['the same customer id', signup({ customerExternalId: 'alice' })],
    ['the same email in another case and with spaces', signup({ customerEmail: '  alice@example.COM ' })],
  ])('rejects a self-referral by %s', (_name, facts) => {
    expect(decideAttribution(touch(), facts)).toEqual({ outcome: 'rejected', reason: 'self_referral' });
  });

  it('reports self-referral even when the person was referred before', () => {
    const decision = decideAttribution(
      touch(),
      signup({ customerExternalId: 'alice', alreadyReferred: true }),
    );
    expect(decision).toEqual({ outcome: 'rejected', reason: 'self_referral' });
  });

  it('does not compare missing emails as equal', () => {
    const noEmails = touch({ referrer: { ...touch().referrer, email: null } });
    expect(decideAttribution(noEmails, signup({ customerEmail: null })).outcome).toBe('create');
  });

  it.each([
    ['already referred', signup({ alreadyReferred: true }), touch(), 'already_referred'],
    [
      'the click is older than the window',
      signup(),
      touch({ touchedAt: new Date(signupAt.getTime() - 31 * DAY) }),
      'outside_window',
    ],
    ['the program is paused', signup({ programActive: false }), touch(), 'program_not_active'],
    [
      'the referrer is disabled',
      signup(),
      touch({ referrer: { ...touch().referrer, status: 'disabled' } }),
      'referrer_disabled',
    ],
  ] as const)('ignores the touch when %s', (_name, facts, t, reason) => {
    expect(decideAttribution(t, facts)).toEqual({ outcome: 'ignored', reason });
  });

  it('counts a click exactly at the window edge as inside it', () => {
    const edge = touch({ touchedAt: new Date(signupAt.getTime() - 30 * DAY) });
    expect(decideAttribution(edge, signup()).outcome).toBe('create');
  });
});
