import { describe, expect, it } from 'vitest';
import {
  DEFAULT_FRAUD_SETTINGS,
  evaluateQualification,
  evaluateSignup,
  type FraudRule,
  type FraudSettings,
  type FraudSettingsInput,
  type FraudSignal,
  fraudOutcome,
  fraudSettingsProblem,
  resolveFraudSettings,
  type SignupFraudFacts,
} from './fraud.ts';

const at = new Date('2025-03-10T12:00:00Z');
const hoursBefore = (hours: number) => new Date(at.getTime() - hours * 3_600_000);

/** A sign-up no rule has anything against. */
const facts = (overrides: Partial<SignupFraudFacts> = {}): SignupFraudFacts => ({
  refereeEmail: { local: 'jane.doe', domain: 'example.com' },
  disposableDomain: false,
  deviceSharedWithReferrer: false,
  referrerSeenOnSameIpUaAt: null,
  sameIpReferrals: 0,
  sameSubnetReferrals: 0,
  recentRefereeLocals: ['paul.martin', 'anna.schmidt'],
  referrerInactiveRecent: 0,
  ring: null,
  referrerRecentReferrals: 1,
  programRecentReferrals: 40,
  programRecentReferrers: 20,
  at,
  ...overrides,
});
const settings = (input: FraudSettingsInput = {}) => resolveFraudSettings(input);
const disabled = (rule: FraudRule) => settings({ rules: { [rule]: { enabled: false } } });
const fired = (f: SignupFraudFacts, s: FraudSettings = settings()) => evaluateSignup(f, s).map((x) => x.rule);
const signal = (f: SignupFraudFacts, rule: FraudRule) =>
  evaluateSignup(f, settings()).find((x) => x.rule === rule);

describe('fraud rules', () => {
  it('finds nothing in a clean sign-up', () => {
    expect(evaluateSignup(facts(), settings())).toEqual([]);
  });

  describe('self-referral', () => {
    it('flags a sign-up from a device the referrer used', () => {
      expect(evaluateSignup(facts({ deviceSharedWithReferrer: true }), settings())).toEqual([
        {
          rule: 'self_referral_device',
          stage: 'signup',
          score: 100,
          reason: 'The referee signed up from a device the referrer has used.',
        },
      ]);
    });

    it('ignores a shared device when the rule is off', () => {
      expect(fired(facts({ deviceSharedWithReferrer: true }), disabled('self_referral_device'))).toEqual([]);
    });

    it.each([
      ['exactly at the window edge', hoursBefore(24)],
      ['within the window', hoursBefore(2)],
      ['after the sign-up', new Date(at.getTime() + 60_000)],
    ])('flags the referrer seen on the same IP address and browser %s', (_, seen) => {
      expect(signal(facts({ referrerSeenOnSameIpUaAt: seen }), 'self_referral_ip')).toMatchObject({
        score: 60,
        reason: 'The referrer was seen on this IP address and browser within 24 h of the sign-up.',
      });
    });

    it('lets a sighting from just before the window pass', () => {
      const seen = new Date(hoursBefore(24).getTime() - 1);
      expect(fired(facts({ referrerSeenOnSameIpUaAt: seen }))).toEqual([]);
      // Event times either side: a sighting days after the sign-up is as far as one days before.
      const later = new Date(at.getTime() + 19 * 24 * 3_600_000);
      expect(fired(facts({ referrerSeenOnSameIpUaAt: later }))).toEqual([]);
      expect(
        fired(facts({ referrerSeenOnSameIpUaAt: hoursBefore(1) }), disabled('self_referral_ip')),
      ).toEqual([]);
    });
  });

  describe('bulk sign-ups', () => {
    it('flags the fourth referral from one IP address when three are allowed', () => {
      expect(signal(facts({ sameIpReferrals: 3 }), 'bulk_ip')).toMatchObject({
        score: 50,
        reason: '4 referrals from this IP address in 24 h (limit 3).',
      });
    });

    it('lets the third pass, and any count when the sign-up had no IP or the rule is off', () => {
      expect(fired(facts({ sameIpReferrals: 2 }))).toEqual([]);
      expect(fired(facts({ sameIpReferrals: null, sameSubnetReferrals: null }))).toEqual([]);
      expect(fired(facts({ sameIpReferrals: 9 }), disabled('bulk_ip'))).toEqual([]);
    });

    it('flags a busy subnet, and keeps both signals when the address is busy too', () => {
      expect(signal(facts({ sameSubnetReferrals: 10 }), 'bulk_subnet')?.reason).toBe(
        '11 referrals from this subnet in 24 h (limit 10).',
      );
      expect(fired(facts({ sameIpReferrals: 3, sameSubnetReferrals: 10 }))).toEqual([
        'bulk_ip',
        'bulk_subnet',
      ]);
    });

    it('lets a subnet just under its limit pass', () => {
      expect(fired(facts({ sameSubnetReferrals: 9 }))).toEqual([]);
      expect(fired(facts({ sameSubnetReferrals: 50 }), disabled('bulk_subnet'))).toEqual([]);
    });
  });

  describe('the referee email', () => {
    it('flags a disposable address, naming the domain', () => {
      const f = facts({ refereeEmail: { local: 'jane', domain: 'mailinator.com' }, disposableDomain: true });
      expect(signal(f, 'disposable_email')?.reason).toBe(
        'The email domain mailinator.com is a disposable-address provider.',
      );
      expect(fired(f, disabled('disposable_email'))).toEqual([]);
    });

    it('has nothing to say about a sign-up without an email', () => {
      expect(fired(facts({ refereeEmail: null, disposableDomain: true }))).toEqual([]);
    });

    it('flags a machine-generated local part', () => {
      const f = facts({ refereeEmail: { local: 'xk7qz9wv2jf4', domain: 'example.com' } });
      expect(signal(f, 'synthetic_identity')).toMatchObject({
        score: 30,
        reason: "The referee's email address looks machine-generated.",
      });
      expect(fired(f, disabled('synthetic_identity'))).toEqual([]);
    });

    it("flags a local part numbered in sequence with the referrer's recent referees", () => {
      const f = facts({
        refereeEmail: { local: 'promo.user14', domain: 'example.com' },
        recentRefereeLocals: ['promo.user13', 'promo.user12', 'promo.user11'],
      });
      expect(signal(f, 'synthetic_identity')?.reason).toBe(
        "The referee's email address continues a numbered sequence among the referrer's recent referees.",
      );
    });

    it('lets an ordinary name pass', () => {
      expect(fired(facts({ refereeEmail: { local: 'maria.garcia', domain: 'example.com' } }))).toEqual([]);
    });
  });

  describe("the referrer's pattern", () => {
    it('flags a burst of referrals without purchases', () => {
      expect(signal(facts({ referrerInactiveRecent: 5 }), 'burst_inactive')?.reason).toBe(
        'The referrer made 5 referrals in 1 h that have no purchase yet (threshold 5).',
      );
    });

    it('lets a burst just under the threshold pass', () => {
      expect(fired(facts({ referrerInactiveRecent: 4 }))).toEqual([]);
      expect(fired(facts({ referrerInactiveRecent: 50 }), disabled('burst_inactive'))).toEqual([]);
    });

    it('flags a ring within the depth checked, naming its length', () => {
      expect(signal(facts({ ring: ['par_a', 'par_b', 'par_c'] }), 'referral_ring')).toMatchObject({
        score: 100,
        reason:
          "The referrer's chain of referrers leads back to the referee: a ring of length 3 (checked to depth 5).",
      });
    });

    it('lets a chain longer than the depth checked pass', () => {
      expect(fired(facts({ ring: ['a', 'b', 'c', 'd', 'e', 'f'] }))).toEqual([]);
      expect(fired(facts({ ring: ['a', 'b'] }), disabled('referral_ring'))).toEqual([]);
    });

    it("flags a referrer far above the program's norm", () => {
      // 40 referrals by 20 referrers: a norm of 2, so 5 × 2 = 10, and 10 is also the minimum.
      expect(signal(facts({ referrerRecentReferrals: 10 }), 'velocity')?.reason).toBe(
        '10 referrals from this referrer in 24 h, against a program norm of 2 per referrer (factor 5, minimum 10).',
      );
    });

    it('lets a busy referrer pass in a busy program', () => {
      // A norm of 3 asks for 15.
      expect(fired(facts({ referrerRecentReferrals: 14, programRecentReferrals: 60 }))).toEqual([]);
    });

    it('uses the minimum alone when the program has no other referrers', () => {
      const alone = { programRecentReferrals: 0, programRecentReferrers: 0 };
      expect(fired(facts({ ...alone, referrerRecentReferrals: 9 }))).toEqual([]);
      expect(signal(facts({ ...alone, referrerRecentReferrals: 10 }), 'velocity')?.reason).toContain(
        'program norm of 1 per referrer',
      );
      expect(fired(facts({ ...alone, referrerRecentReferrals: 99 }), disabled('velocity'))).toEqual([]);
    });
  });

  describe('at qualification', () => {
    it.each([
      ['referrer', "The referee's payment method is also used by the referrer."],
      ['other_referee', "The referee's payment method is also used by another referee."],
    ] as const)('flags a payment method shared with the %s', (paymentSharedWith, reason) => {
      expect(evaluateQualification({ paymentSharedWith }, settings())).toEqual([
        { rule: 'shared_payment', stage: 'qualification', score: 100, reason },
      ]);
    });

    it('lets an unshared payment method pass, and any when the rule is off', () => {
      expect(evaluateQualification({ paymentSharedWith: null }, settings())).toEqual([]);
      expect(evaluateQualification({ paymentSharedWith: 'referrer' }, disabled('shared_payment'))).toEqual(
        [],
      );
    });
  });
});

describe('fraud outcome', () => {
  const scored = (...scores: number[]): FraudSignal[] =>
    scores.map((score) => ({ rule: 'velocity', stage: 'signup', score, reason: '' }));

  it.each([
    [[], 'allow'],
    [[49], 'allow'],
    [[50], 'review'],
    [[30, 40], 'review'],
    [[99], 'review'],
    [[100], 'block'],
    [[60, 50], 'block'],
  ] as const)('sums %j to %s', (scores, outcome) => {
    expect(fraudOutcome(scored(...scores), settings())).toBe(outcome);
  });

  it("uses the program's thresholds", () => {
    expect(fraudOutcome(scored(50), settings({ review_score: 80, block_score: 200 }))).toBe('allow');
  });
});

describe('fraud settings', () => {
  it('keeps everything else when a PATCH changes one rule score', () => {
    const base = settings({ review_score: 70, rules: { bulk_ip: { max_signups: 8 } } });
    const patched = resolveFraudSettings({ rules: { bulk_ip: { score: 20 } } }, base);
    expect(patched).toEqual({
      ...base,
      rules: { ...base.rules, bulk_ip: { enabled: true, score: 20, window_hours: 24, max_signups: 8 } },
    });
  });

  it('reads missing settings as the defaults, and an undefined field as unchanged', () => {
    expect(resolveFraudSettings(undefined)).toEqual(DEFAULT_FRAUD_SETTINGS);
    expect(
      resolveFraudSettings({ block_score: undefined, rules: { velocity: { factor: undefined } } }),
    ).toEqual(DEFAULT_FRAUD_SETTINGS);
  });

  it('never lets a change reach the defaults', () => {
    expect(Object.isFrozen(DEFAULT_FRAUD_SETTINGS.rules.velocity)).toBe(true);
    const resolved = resolveFraudSettings(undefined);
    resolved.rules.velocity.score = 1;
    expect(DEFAULT_FRAUD_SETTINGS.rules.velocity.score).toBe(50);
  });

  it('reports a block score below the review score', () => {
    expect(fraudSettingsProblem(settings({ review_score: 80, block_score: 60 }))).toEqual({
      message: 'block_score (60) must be at least review_score (80).',
      param: 'fraud.block_score',
    });
    expect(fraudSettingsProblem(settings({ review_score: 80, block_score: 80 }))).toBeNull();
  });
});
