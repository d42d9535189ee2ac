import { expect } from 'vitest';
import { FRAUD_RULES, type FraudRule } from '../../src/domain/fraud.ts';
import type { Reply } from './app.ts';
import { event, makeParticipant, makeProgram, unique } from './factories.ts';
import { t } from './ledger-checked-app.ts';

// Shared by the test/api/fraud/fraud-*.test.ts files, which run on useLedgerCheckedApp(): every scenario
// makes its own program, so program-wide counts (bulk sign-ups, velocity) never see another's.

const HOUR_MS = 3_600_000;
let start = new Date('2031-09-01T10:00:00.000Z');

/**
 * Sets the clock to a scenario's start, 100 days after the previous scenario's. Never back: ids
 * carry the time they were made at and never go back within a process, and the referrer windows
 * are id ranges, so a clock set backwards would make the next scenario's referrals look newer.
 */
export function startClock(): Date {
  start = new Date(start.getTime() + 100 * 24 * HOUR_MS);
  t.setNow(start);
  return start;
}
export const hoursAfter = (hours: number) => new Date(start.getTime() + hours * HOUR_MS);
export const daysAfter = (days: number) => hoursAfter(days * 24);

type RuleSettings = Record<string, number | boolean>;

/** Fraud settings with only the named rules on, so the score under test is that rule's alone. */
export function onlyRules(rules: Partial<Record<FraudRule, RuleSettings>>, top: Record<string, number> = {}) {
  const all = FRAUD_RULES.map((rule) => [rule, { enabled: rule in rules, ...rules[rule] }]);
  return { ...top, rules: Object.fromEntries(all) };
}

export interface Referrer {
  id: string;
  external_id: string;
  referral_code: string;
  program_id: string;
}

/** A program with these fraud settings (defaults when none) and referrers enrolled in it. */
export async function fraudProgram(
  fraud?: object,
  referrerCount = 1,
  overrides: Record<string, unknown> = {},
) {
  const program = await makeProgram(t, { ...(fraud ? { fraud } : {}), ...overrides });
  const referrers: Referrer[] = [];
  for (let i = 0; i < referrerCount; i++) {
    referrers.push({ ...(await makeParticipant(t, program.id)), program_id: program.id });
  }
  return { program, referrers, referrer: referrers[0] as Referrer };
}

export interface Context {
  ip?: string;
  user_agent?: string;
  device_id?: string;
  payment_fingerprint?: string;
}

/** `occurred_at` for an event that happened at `at`, or nothing: then it happens when received. */
const occurred = (at: Date | undefined) => (at ? { occurred_at: at.toISOString() } : {});

/**
 * The referrer's own sign-up event in the program: how Vouch learns their device and network. With
 * `at`, it is sent as having happened then (a backfill).
 */
export async function referrerSeenWith(referrer: Referrer, context: Context, at?: Date) {
  const res = await t.api('POST', '/v1/events', {
    ...event('signup', referrer.external_id, { program_id: referrer.program_id, context }),
    ...occurred(at),
  });
  expect(res.body.result).toMatchObject({ outcome: 'no_referral' });
}

/** A purchase by the customer; a payment fingerprint in `context` is remembered for them. */
export function purchase(customer: string, context: Context = {}, amount = 5000) {
  return t.api('POST', '/v1/events', event('purchase', customer, { amount, currency: 'USD', context }));
}

export interface Friend {
  customer?: string;
  email?: string;
  context?: Context;
  /** When the sign-up happened, for one sent later (a backfill); else when it is received. */
  occurredAt?: Date;
}

/** A sign-up with the referrer's code, carrying what the shop saw; the reply and the customer id. */
export async function referredBy(referrer: Referrer, friend: Friend = {}) {
  const customer = friend.customer ?? unique('friend');
  const res = await t.api('POST', '/v1/events', {
    ...event('signup', customer, { referral: { code: referrer.referral_code } }),
    customer: { external_id: customer, ...(friend.email ? { email: friend.email } : {}) },
    ...(friend.context ? { context: friend.context } : {}),
    ...occurred(friend.occurredAt),
  });
  expect(res.status).toBe(201);
  return { res, customer, referralId: res.body.result.referral_ids[0] as string };
}

export async function referral(id: string) {
  const res = await t.api('GET', `/v1/referrals/${id}`);
  expect(res.status).toBe(200);
  return res.body;
}

export async function reviewsOf(referralId: string) {
  return (await t.api('GET', `/v1/reviews?referral_id=${referralId}`)).body.data as Record<string, unknown>[];
}

export const signal = (rule: FraudRule, score: number, reason: string, stage = 'signup') => ({
  rule,
  stage,
  score,
  reason,
  created_at: expect.any(String),
});

export type Outcome = 'allow' | 'review' | 'block';

/**
 * What the screening decided, as the API shows it: the referral's fraud block and status, and the
 * review queue (one open review for `review`, none otherwise).
 */
export async function expectScreened(
  referralId: string,
  outcome: Outcome,
  signals: ReturnType<typeof signal>[],
): Promise<void> {
  const body = await referral(referralId);
  const score = signals.reduce((sum, s) => sum + s.score, 0);
  expect(body.fraud).toEqual({ outcome, score, signals });
  if (outcome === 'block') {
    expect(body).toMatchObject({ status: 'rejected', rejection_reason: 'fraud' });
  } else {
    expect(body.rejection_reason).toBeNull();
  }
  const reviews = await reviewsOf(referralId);
  if (outcome === 'review') {
    expect(reviews).toEqual([expect.objectContaining({ status: 'open', score, referral_id: referralId })]);
  } else {
    expect(reviews).toEqual([]);
  }
}

/** The sign-up's answer: blocked ones are rejected for fraud, the others created. */
export function expectSignupResult(res: Reply, outcome: Outcome) {
  expect(res.body.result).toMatchObject(
    outcome === 'block' ? { outcome: 'referral_rejected', reason: 'fraud' } : { outcome: 'referral_created' },
  );
}

/** POST /v1/reviews/{id}/approve|reject, with a note unless another body is given. */
export const decide = (
  id: string,
  action: 'approve' | 'reject',
  body: unknown = { note: 'Checked the order.' },
) => t.api('POST', `/v1/reviews/${id}/${action}`, body);
