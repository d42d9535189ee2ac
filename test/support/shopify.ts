import { createHmac } from 'node:crypto';
import type { TestApp } from './app.ts';
import { makeParticipant, makeProgram, unique } from './factories.ts';

export const SHOPIFY_SECRET = 'shopify-app-secret-for-tests';

/**
 * JSON as Shopify writes it: a BigInt goes out as a bare number with every digit (820982911946154508),
 * which JSON.stringify cannot write and JSON.parse would round.
 */
export function shopifyJson(body: unknown): string {
  return JSON.stringify(body, (_key, value) => (typeof value === 'bigint' ? `#int:${value}` : value)).replace(
    /"#int:(-?\d+)"/g,
    '$1',
  );
}

/** As Shopify sends it: the topic in a header, the body (an object, or raw text) signed with the app's secret. */
export async function deliver(t: TestApp, topic: string, body: unknown, secret = SHOPIFY_SECRET) {
  const payload = typeof body === 'string' ? body : shopifyJson(body);
  const hmac = createHmac('sha256', secret).update(payload).digest('base64');
  const raw = await t.app.inject({
    method: 'POST',
    url: '/integrations/shopify/webhook',
    headers: { 'content-type': 'application/json', 'x-shopify-topic': topic, 'x-shopify-hmac-sha256': hmac },
    payload,
  });
  return { status: raw.statusCode, body: JSON.parse(raw.body) };
}

/** A referrer in a program paying 10.00 USD to the referrer and 5.00 USD to the referee. */
export async function shopifyReferrer(t: TestApp) {
  const program = await makeProgram(t, {
    rewards: { referrer: { amount: 1000, currency: 'USD' }, referee: { amount: 500, currency: 'USD' } },
  });
  return makeParticipant(t, program.id);
}

let nextId = 5_000_000;
export const shopifyId = () => nextId++;

/** An orders/create payload, shaped as in Shopify's API reference (the fields Vouch reads). */
export const shopifyOrder = (extra: Record<string, unknown> = {}) => ({
  id: shopifyId(),
  email: `${unique('shopper')}@example.com`,
  customer: { id: shopifyId() },
  total_price: '100.00',
  currency: 'USD',
  created_at: new Date(Date.now() - 60_000).toISOString(),
  discount_codes: [],
  note_attributes: [],
  landing_site: '/',
  source_name: 'web',
  ...extra,
});

/** A refunds/create payload giving back `amount` of its order in one successful transaction. */
export const shopifyRefund = (orderId: unknown, amount: string, extra: Record<string, unknown> = {}) => ({
  id: shopifyId(),
  order_id: orderId,
  transactions: [{ kind: 'refund', status: 'success', amount, currency: 'USD' }],
  ...extra,
});

export const referralOf = async (t: TestApp, referrerId: string) =>
  (await t.api('GET', `/v1/referrals?referrer_id=${referrerId}`)).body.data[0];
