// The fraud rule screened at qualification: a referee paying with a card the referrer or another
// referee used. Its score adds to what the sign-up scored; through POST /v1/events (purchases with
// context.payment_fingerprint) and GET /v1/referrals/{id}.
import { beforeEach, describe, expect, it } from 'vitest';
import {
  expectScreened,
  fraudProgram,
  onlyRules,
  purchase,
  referral,
  referredBy,
  reviewsOf,
  signal,
  startClock,
} from '../../support/fraud-fixtures.ts';
import { t, useLedgerCheckedApp } from '../../support/ledger-checked-app.ts';

useLedgerCheckedApp();
beforeEach(() => {
  startClock();
});

const RANDOM_EMAIL = "The referee's email address looks machine-generated.";

describe('shared_payment', () => {
  const byReferrer = "The referee's payment method is also used by the referrer.";

  it("blocks, at qualification, a referee paying with the referrer's card, and grants nothing", async () => {
    const { referrer } = await fraudProgram();
    await purchase(referrer.external_id, { payment_fingerprint: 'card_fp_referrer' });
    const { customer, referralId } = await referredBy(referrer);
    await expectScreened(referralId, 'allow', []);

    const res = await purchase(customer, { payment_fingerprint: 'card_fp_referrer' });

    expect(res.body.result).toMatchObject({ outcome: 'not_qualified', reason: 'fraud', reward_ids: [] });
    await expectScreened(referralId, 'block', [signal('shared_payment', 100, byReferrer, 'qualification')]);
    expect((await t.api('GET', `/v1/rewards?referral_id=${referralId}`)).body.data).toEqual([]);
  });

  it("flags a card another referee paid with, holding the referral for review at the program's score", async () => {
    const { referrer } = await fraudProgram({ rules: { shared_payment: { score: 60 } } });
    const first = await referredBy(referrer);
    await purchase(first.customer, { payment_fingerprint: 'card_fp_family' });
    const second = await referredBy(referrer);

    const res = await purchase(second.customer, { payment_fingerprint: 'card_fp_family' });

    expect(res.body.result.outcome).toBe('referral_qualified');
    const reason = "The referee's payment method is also used by another referee.";
    await expectScreened(second.referralId, 'review', [
      signal('shared_payment', 60, reason, 'qualification'),
    ]);
    expect(await t.api('GET', `/v1/reviews?referral_id=${second.referralId}`)).toMatchObject({
      body: { data: [{ stage: 'qualification', score: 60 }] },
    });
  });

  it('qualifies a referee paying with a card of their own', async () => {
    const { referrer } = await fraudProgram();
    await purchase(referrer.external_id, { payment_fingerprint: 'card_fp_referrer' });
    const { customer, referralId } = await referredBy(referrer);

    const res = await purchase(customer, { payment_fingerprint: 'card_fp_friend' });

    expect(res.body.result).toMatchObject({ outcome: 'referral_qualified', reward_ids: expect.any(Array) });
    expect(res.body.result.reward_ids).toHaveLength(2);
    await expectScreened(referralId, 'allow', []);
  });

  it('adds its score to the sign-up score: two small signals together reach review', async () => {
    const { referrer } = await fraudProgram(
      onlyRules({ synthetic_identity: {}, shared_payment: { score: 30 } }),
    );
    await purchase(referrer.external_id, { payment_fingerprint: 'card_fp_referrer' });
    const { customer, referralId } = await referredBy(referrer, { email: 'xk7qz9wv2jf4@example.com' });
    await expectScreened(referralId, 'allow', [signal('synthetic_identity', 30, RANDOM_EMAIL)]);

    await purchase(customer, { payment_fingerprint: 'card_fp_referrer' });

    await expectScreened(referralId, 'review', [
      signal('synthetic_identity', 30, RANDOM_EMAIL),
      signal('shared_payment', 30, byReferrer, 'qualification'),
    ]);
  });

  it('keeps a referral held at sign-up under review when a small signal comes at qualification', async () => {
    const { referrer } = await fraudProgram(
      onlyRules({ disposable_email: {}, shared_payment: { score: 30 } }),
    );
    await purchase(referrer.external_id, { payment_fingerprint: 'card_fp_referrer' });
    const { customer, referralId } = await referredBy(referrer, { email: 'jane.doe@mailinator.com' });

    await purchase(customer, { payment_fingerprint: 'card_fp_referrer' });

    const body = await referral(referralId);
    expect(body.fraud).toMatchObject({ outcome: 'review', score: 80 });
    expect(await reviewsOf(referralId)).toEqual([
      expect.objectContaining({ status: 'open', stage: 'signup' }),
    ]);
  });

  it('blocks when the two stages together reach block_score, granting nothing', async () => {
    const { referrer } = await fraudProgram(
      onlyRules({ disposable_email: {}, shared_payment: { score: 50 } }),
    );
    await purchase(referrer.external_id, { payment_fingerprint: 'card_fp_referrer' });
    const { customer, referralId } = await referredBy(referrer, { email: 'jane.doe@mailinator.com' });

    const res = await purchase(customer, { payment_fingerprint: 'card_fp_referrer' });

    expect(res.body.result).toMatchObject({ outcome: 'not_qualified', reason: 'fraud' });
    expect(await referral(referralId)).toMatchObject({
      status: 'rejected',
      rejection_reason: 'fraud',
      fraud: { outcome: 'block', score: 100 },
    });
    expect((await t.api('GET', `/v1/rewards?referral_id=${referralId}`)).body.data).toEqual([]);
    // The review the sign-up opened is closed by the block: nothing is left for an admin to decide.
    const reviews = (await t.api('GET', `/v1/reviews?referral_id=${referralId}`)).body.data;
    expect(reviews).toMatchObject([{ status: 'rejected', decided_by: 'system:fraud-rules' }]);
    expect(reviews[0].note).toMatch(/blocked/i);
  });

  it('stays silent when the program turned it off', async () => {
    const { referrer } = await fraudProgram(onlyRules({}));
    await purchase(referrer.external_id, { payment_fingerprint: 'card_fp_referrer' });
    const { customer, referralId } = await referredBy(referrer);

    const res = await purchase(customer, { payment_fingerprint: 'card_fp_referrer' });

    expect(res.body.result.outcome).toBe('referral_qualified');
    await expectScreened(referralId, 'allow', []);
  });
});
