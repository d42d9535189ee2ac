import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../support/app.ts';
import { unique } from '../../support/factories.ts';
import {
  deliver as deliverTo,
  shopifyOrder as order,
  referralOf as referralIn,
  SHOPIFY_SECRET,
  shopifyId,
  shopifyReferrer,
} from '../../support/shopify.ts';
import { countRows } from '../../support/tables.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ VOUCH_SHOPIFY_WEBHOOK_SECRET: SHOPIFY_SECRET });
});
afterAll(() => t.close());

const deliver = (topic: string, body: object, secret = SHOPIFY_SECRET) => deliverTo(t, topic, body, secret);
const referrer = () => shopifyReferrer(t);
const referralOf = (referrerId: string) => referralIn(t, referrerId);

describe('Shopify ingestion', () => {
  it.each([
    ['a discount code', (code: string) => ({ discount_codes: [{ code }] })],
    [
      'a vouch_ref note attribute',
      (code: string) => ({ note_attributes: [{ name: 'vouch_ref', value: code }] }),
    ],
    ['the landing page', (code: string) => ({ landing_site: `/welcome?vouch_ref=${code}&utm_source=x` })],
    [
      'a discount code at the point of sale, with no customer',
      (code: string) => ({ discount_codes: [{ code }], source_name: 'pos', customer: null, email: null }),
    ],
  ])('attributes an order by %s and qualifies the referral', async (_how, attach) => {
    const r = await referrer();
    const res = await deliver('orders/create', order(attach(r.referral_code)));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ received: true, outcome: 'recorded' });
    expect(await referralOf(r.id)).toMatchObject({ status: 'qualified' });
  });

  it('attributes an order carrying no code to the referred customer with its email', async () => {
    const r = await referrer();
    const email = `${unique('carol')}@example.com`;
    const signup = await t.api('POST', '/v1/events', {
      type: 'signup',
      external_id: unique('signup'),
      customer: { external_id: unique('user'), email },
      referral: { code: r.referral_code },
    });
    expect(signup.body.result.outcome).toBe('referral_created');
    const res = await deliver('orders/create', order({ email, customer: { id: shopifyId(), email } }));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(await referralOf(r.id)).toMatchObject({ status: 'qualified' });
  });

  it('knows a guest checkout by a keyed hash of its email, never by the address', async () => {
    const r = await referrer();
    const email = `${unique('guest')}@example.com`;
    const guest = order({ customer: null, email, discount_codes: [{ code: r.referral_code }] });
    expect((await deliver('orders/create', guest)).status).toBe(200);
    const referral = await referralOf(r.id);
    expect(referral).toMatchObject({ status: 'qualified' });
    const referee = (await t.api('GET', `/v1/participants/${referral.referee_id}`)).body;
    expect(referee.external_id).toMatch(/^email:/);
    expect(referee.external_id).not.toContain(email);
    const rows = await t.store.db
      .selectFrom('events')
      .select(['external_id', 'customer_external_id'])
      .execute();
    expect(JSON.stringify(rows)).not.toContain(email);
  });

  it('reads prices exactly in minor units, and refunds pro rata by order', async () => {
    const r = await referrer();
    const placed = order({ total_price: '49.90', discount_codes: [{ code: r.referral_code }] });
    await deliver('orders/create', placed);
    const referral = await referralOf(r.id);
    const refund = {
      id: shopifyId(),
      order_id: placed.id,
      transactions: [
        { kind: 'refund', status: 'success', amount: '24.95', currency: 'USD' },
        { kind: 'refund', status: 'failure', amount: '24.95', currency: 'USD' },
      ],
    };
    const res = await deliver('refunds/create', refund);
    expect(res.body.outcome).toBe('recorded');
    const rewards = (await t.api('GET', `/v1/rewards?referral_id=${referral.id}`)).body.data;
    expect(
      rewards
        .map((w: { reversed_amount: number }) => w.reversed_amount)
        .sort((a: number, b: number) => a - b),
    ).toEqual([250, 500]);
    const before = await countRows(t.store.db);
    await deliver('refunds/create', refund);
    expect(await countRows(t.store.db)).toEqual(before);
  });

  it('changes nothing when an order is delivered twice', async () => {
    const r = await referrer();
    const placed = order({ discount_codes: [{ code: r.referral_code }] });
    const first = await deliver('orders/create', placed);
    const before = await countRows(t.store.db);
    const again = await deliver('orders/create', placed);
    expect(again.body.event_ids).toEqual(first.body.event_ids);
    expect(await countRows(t.store.db)).toEqual(before);
  });

  it('ignores other topics and refunds of nothing', async () => {
    expect((await deliver('customers/create', { id: 1 })).body).toMatchObject({
      outcome: 'ignored',
      reason: 'topic',
    });
    const empty = { id: shopifyId(), order_id: 1, transactions: [] };
    expect((await deliver('refunds/create', empty)).body).toMatchObject({
      outcome: 'ignored',
      reason: 'nothing_refunded',
    });
  });

  it('refuses a body whose HMAC does not verify, and a price it cannot read, writing nothing', async () => {
    const before = await countRows(t.store.db);
    const forged = await deliver('orders/create', order(), 'not-the-secret');
    expect(forged.status).toBe(400);
    expect(forged.body.error).toMatchObject({ code: 'invalid_signature', param: 'x-shopify-hmac-sha256' });
    const bad = await deliver('orders/create', order({ total_price: '12.345' }));
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'invalid_value', param: 'total_price' });
    expect(await countRows(t.store.db)).toEqual(before);
  });
});
