import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../support/app.ts';
import {
  deliver,
  referralOf,
  SHOPIFY_SECRET,
  shopifyOrder,
  shopifyReferrer,
  shopifyRefund,
} from '../../support/shopify.ts';
import { countRows } from '../../support/tables.ts';

// Shopify's ids are signed 64-bit integers sent as JSON numbers; past 2^53 (16 digits) a JavaScript
// number rounds neighbours onto one value. Each pair below differs in its last digit only.
const PAIRS = [
  ['18-digit ids', 820982911946154508n, 820982911946154509n],
  ['19-digit ids, up to the signed 64-bit maximum', 9223372036854775806n, 9223372036854775807n],
] as const;

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ VOUCH_SHOPIFY_WEBHOOK_SECRET: SHOPIFY_SECRET });
});
afterAll(() => t.close());

/** The stored events a receipt names (the API has no read route for single events). */
const eventsOf = (eventIds: string[]) =>
  t.store.db
    .selectFrom('events')
    .select(['type', 'external_id', 'customer_external_id', 'purchase_external_id'])
    .where('id', 'in', eventIds)
    .execute();
const purchaseOf = async (eventIds: string[]) =>
  (await eventsOf(eventIds)).find((event) => event.type === 'purchase');

describe('Shopify ids above 2^53', () => {
  it.each(PAIRS)('records two orders a digit apart as two purchases (%s)', async (_size, first, second) => {
    const a = await deliver(t, 'orders/create', shopifyOrder({ id: first, customer: { id: first } }));
    const b = await deliver(t, 'orders/create', shopifyOrder({ id: second, customer: { id: second } }));
    expect([a.status, b.status], JSON.stringify([a.body, b.body])).toEqual([200, 200]);
    expect(b.body.event_ids.some((id: string) => a.body.event_ids.includes(id))).toBe(false);
    expect((await purchaseOf(a.body.event_ids))?.external_id).toBe(`shopify:order:${first}`);
    expect((await purchaseOf(b.body.event_ids))?.external_id).toBe(`shopify:order:${second}`);
  });

  it.each([
    ['18-digit', 115310627314723949n],
    ['19-digit', 9223372036854770001n],
  ])("stores the referee's customer id with every digit (%s)", async (_size, customerId) => {
    const r = await shopifyReferrer(t);
    const res = await deliver(
      t,
      'orders/create',
      shopifyOrder({
        customer: { id: customerId },
        email: null,
        discount_codes: [{ code: r.referral_code }],
      }),
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const referral = await referralOf(t, r.id);
    const referee = (await t.api('GET', `/v1/participants/${referral.referee_id}`)).body;
    expect(referee.external_id).toBe(`shopify:${customerId}`);
  });

  it.each(PAIRS)(
    'claws back the refund of an order from that order only (%s)',
    async (_size, first, second) => {
      // Fresh pairs of ids: the first test already used these as orders of other customers.
      const [kept, refunded] = [first - 1000n, second - 1000n];
      const [keeper, refunder] = [await shopifyReferrer(t), await shopifyReferrer(t)];
      for (const [id, r] of [
        [kept, keeper],
        [refunded, refunder],
      ] as const) {
        const res = await deliver(
          t,
          'orders/create',
          shopifyOrder({ id, discount_codes: [{ code: r.referral_code }] }),
        );
        expect(res.status, JSON.stringify(res.body)).toBe(200);
      }
      const refund = await deliver(t, 'refunds/create', shopifyRefund(refunded, '100.00', { id: refunded }));
      expect(refund.body).toMatchObject({ outcome: 'recorded' });
      expect(await eventsOf(refund.body.event_ids)).toMatchObject([
        {
          external_id: `shopify:refund:${refunded}`,
          purchase_external_id: `shopify:order:${refunded}`,
        },
      ]);
      const reversed = async (r: { id: string }) => {
        const referral = await referralOf(t, r.id);
        const rewards = (await t.api('GET', `/v1/rewards?referral_id=${referral.id}`)).body.data;
        return rewards.map((w: { reversed_amount: number }) => w.reversed_amount).sort();
      };
      expect(await reversed(refunder)).toEqual([1000, 500]);
      expect(await reversed(keeper)).toEqual([0, 0]);
    },
  );

  it('refuses an id longer than a 64-bit integer has digits, writing nothing', async () => {
    const before = await countRows(t.store.db);
    const res = await deliver(t, 'orders/create', shopifyOrder({ id: 99999999999999999999n }));
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'invalid_format', param: 'id' });
    expect(await countRows(t.store.db)).toEqual(before);
  });
});
