// A program's fraud settings (validated at the edge, merged field by field on PATCH) and its fraud
// report: how often each rule fired and what became of the referrals, over a period.
import { beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_FRAUD_SETTINGS, FRAUD_RULES } from '../../../src/domain/fraud.ts';
import { makeProgram, programBody } from '../../support/factories.ts';
import {
  fraudProgram,
  hoursAfter,
  purchase,
  referredBy,
  referrerSeenWith,
  startClock,
} from '../../support/fraud-fixtures.ts';
import { t, useLedgerCheckedApp } from '../../support/ledger-checked-app.ts';
import { countRows } from '../../support/tables.ts';

useLedgerCheckedApp();
let start: Date;
beforeEach(() => {
  start = startClock();
});

const report = (programId: string, query = '') =>
  t.api('GET', `/v1/programs/${programId}/fraud_report${query ? `?${query}` : ''}`);
const quiet = FRAUD_RULES.map((rule) => ({ rule, signals: 0, referrals: 0, incidence: 0 }));

describe('GET /v1/programs/{id}/fraud_report', () => {
  /**
   * Five referrals of one referrer: one clean at sign-up but paid with the referrer's card (blocked at
   * qualification), one machine-generated address (allowed, scored), one disposable address
   * (review), one both (review), one from the referrer's own device (blocked).
   */
  async function screenedProgram() {
    const { program, referrer } = await fraudProgram();
    await referrerSeenWith(referrer, { device_id: 'dev_referrers_laptop' });
    await purchase(referrer.external_id, { payment_fingerprint: 'card_fp_referrer' });
    const clean = await referredBy(referrer, { email: 'jane.doe@example.com' });
    await purchase(clean.customer, { payment_fingerprint: 'card_fp_referrer' });
    await referredBy(referrer, { email: 'xk7qz9wv2jf4@example.com' });
    await referredBy(referrer, { email: 'mario.rossi@mailinator.com' });
    await referredBy(referrer, { email: 'qz8vk3lw9xm2@mailinator.com' });
    await referredBy(referrer, { context: { device_id: 'dev_referrers_laptop' } });
    return program;
  }

  it('counts signals per rule and referrals per outcome', async () => {
    const program = await screenedProgram();
    t.setNow(hoursAfter(1));

    const res = await report(program.id);

    expect(res.status).toBe(200);
    const fired = {
      self_referral_device: { signals: 1, referrals: 1, incidence: 0.2 },
      disposable_email: { signals: 2, referrals: 2, incidence: 0.4 },
      synthetic_identity: { signals: 2, referrals: 2, incidence: 0.4 },
      shared_payment: { signals: 1, referrals: 1, incidence: 0.2 },
    } as Record<string, object>;
    expect(res.body).toEqual({
      object: 'fraud_report',
      program_id: program.id,
      since: hoursAfter(1 - 30 * 24).toISOString(),
      until: hoursAfter(1).toISOString(),
      referrals: 5,
      outcomes: { allow: 1, review: 2, block: 2 },
      rules: quiet.map((row) => ({ ...row, ...fired[row.rule] })),
    });
  });

  it('counts only the period asked for', async () => {
    const program = await screenedProgram();
    const within = `since=${hoursAfter(-1).toISOString()}&until=${hoursAfter(1).toISOString()}`;
    const before = `since=${hoursAfter(-48).toISOString()}&until=${start.toISOString()}`;

    expect((await report(program.id, within)).body).toMatchObject({ referrals: 5 });
    expect((await report(program.id, before)).body).toMatchObject({
      referrals: 0,
      outcomes: { allow: 0, review: 0, block: 0 },
      rules: quiet,
    });
  });

  it('lists every rule, with zeros, for a program without referrals', async () => {
    const program = await makeProgram(t);

    const res = await report(program.id);

    expect(res.body).toMatchObject({
      referrals: 0,
      outcomes: { allow: 0, review: 0, block: 0 },
      rules: quiet,
    });
  });

  it.each([
    ['since equal to until', 0],
    ['since after until', 1],
  ])('refuses %s with 400 invalid_value since', async (_case, hours) => {
    const program = await makeProgram(t);
    const query = `since=${hoursAfter(hours).toISOString()}&until=${start.toISOString()}`;

    const res = await report(program.id, query);

    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'invalid_value', param: 'since' });
  });

  it('refuses a date that is not a date, and answers 404 for an unknown program', async () => {
    const program = await makeProgram(t);

    const bad = await report(program.id, 'since=yesterday');
    const missing = await report('prg_missing');

    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'invalid_format', param: 'since' });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('resource_missing');
  });
});

describe('program fraud settings', () => {
  it('shows the full default settings for a program created without any', async () => {
    const program = await makeProgram(t);

    expect((await t.api('GET', `/v1/programs/${program.id}`)).body.fraud).toEqual(DEFAULT_FRAUD_SETTINGS);
  });

  it('keeps every other setting when a PATCH changes one field of one rule', async () => {
    const { program } = await fraudProgram({ review_score: 40, rules: { bulk_ip: { max_signups: 7 } } });

    const res = await t.api('PATCH', `/v1/programs/${program.id}`, {
      fraud: { rules: { bulk_ip: { score: 20 } } },
    });

    expect(res.status).toBe(200);
    const expected = {
      ...DEFAULT_FRAUD_SETTINGS,
      review_score: 40,
      rules: {
        ...DEFAULT_FRAUD_SETTINGS.rules,
        bulk_ip: { ...DEFAULT_FRAUD_SETTINGS.rules.bulk_ip, max_signups: 7, score: 20 },
      },
    };
    expect(res.body.fraud).toEqual(expected);
    expect((await t.api('GET', `/v1/programs/${program.id}`)).body.fraud).toEqual(expected);
  });

  it('turns a rule off and on again', async () => {
    const { program } = await fraudProgram({ rules: { velocity: { enabled: false, min_referrals: 4 } } });
    const path = `/v1/programs/${program.id}`;

    await t.api('PATCH', path, { fraud: { rules: { velocity: { enabled: true } } } });

    expect((await t.api('GET', path)).body.fraud.rules.velocity).toEqual({
      ...DEFAULT_FRAUD_SETTINGS.rules.velocity,
      enabled: true,
      min_referrals: 4,
    });
  });

  const invalid: [string, object, string, string][] = [
    [
      'an unknown rule',
      { rules: { vpn_exit_node: { enabled: true } } },
      'unknown_field',
      'fraud.rules.vpn_exit_node',
    ],
    [
      'an unknown rule field',
      { rules: { bulk_ip: { max_signup: 3 } } },
      'unknown_field',
      'fraud.rules.bulk_ip.max_signup',
    ],
    [
      'a field the rule lacks',
      { rules: { disposable_email: { window_hours: 3 } } },
      'unknown_field',
      'fraud.rules.disposable_email.window_hours',
    ],
    ['an unknown top-level field', { block_scores: 90 }, 'unknown_field', 'fraud.block_scores'],
    [
      'a score above 1000',
      { rules: { self_referral_ip: { score: 1001 } } },
      'value_too_large',
      'fraud.rules.self_referral_ip.score',
    ],
    [
      'a negative score',
      { rules: { bulk_ip: { score: -1 } } },
      'value_too_small',
      'fraud.rules.bulk_ip.score',
    ],
    [
      'a window of zero hours',
      { rules: { bulk_subnet: { window_hours: 0 } } },
      'value_too_small',
      'fraud.rules.bulk_subnet.window_hours',
    ],
    [
      'a fractional window',
      { rules: { velocity: { window_hours: 1.5 } } },
      'invalid_type',
      'fraud.rules.velocity.window_hours',
    ],
    [
      'a velocity factor of 1',
      { rules: { velocity: { factor: 1 } } },
      'value_too_small',
      'fraud.rules.velocity.factor',
    ],
    [
      'a ring depth over 20',
      { rules: { referral_ring: { max_depth: 21 } } },
      'value_too_large',
      'fraud.rules.referral_ring.max_depth',
    ],
    ['a review score of 0', { review_score: 0 }, 'value_too_small', 'fraud.review_score'],
    [
      'enabled as a string',
      { rules: { shared_payment: { enabled: 'no' } } },
      'invalid_type',
      'fraud.rules.shared_payment.enabled',
    ],
    [
      'a block score below the review score',
      { review_score: 80, block_score: 60 },
      'invalid_value',
      'fraud.block_score',
    ],
  ];

  it.each(invalid)('refuses %s on create with 400, writing nothing', async (_case, fraud, code, param) => {
    const before = await countRows(t.store.db);

    const res = await t.api('POST', '/v1/programs', programBody({ fraud }));

    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code, param });
    expect(await countRows(t.store.db)).toEqual(before);
  });

  it.each(invalid)('refuses %s on update with 400, changing nothing', async (_case, fraud, code, param) => {
    const { program } = await fraudProgram();
    const before = await countRows(t.store.db);

    const res = await t.api('PATCH', `/v1/programs/${program.id}`, { fraud });

    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code, param });
    expect(await countRows(t.store.db)).toEqual(before);
    expect((await t.api('GET', `/v1/programs/${program.id}`)).body.fraud).toEqual(DEFAULT_FRAUD_SETTINGS);
  });

  it.each([
    ['a review score above the stored block score', { review_score: 150 }],
    ['a block score below the stored review score', { block_score: 40 }],
  ])('checks a PATCH against the stored settings: refuses %s', async (_case, fraud) => {
    const { program } = await fraudProgram({ review_score: 50, block_score: 100 });

    const res = await t.api('PATCH', `/v1/programs/${program.id}`, { fraud });

    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'invalid_value', param: 'fraud.block_score' });
  });

  it('accepts a block score equal to the review score', async () => {
    const { program } = await fraudProgram({ review_score: 70, block_score: 70 });

    expect((await t.api('GET', `/v1/programs/${program.id}`)).body.fraud).toMatchObject({
      review_score: 70,
      block_score: 70,
    });
  });
});
