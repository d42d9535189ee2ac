import type { ShopifyOrder, ShopifyRefund } from '../../domain/inputs/shopify.ts';
import { AppError } from '../../lib/errors.ts';
import { fromDecimal } from '../../lib/money.ts';
import type { InTransaction } from '../../store/executor.ts';
import type { Actor } from '../audit.ts';
import type { Screening } from '../fraud/screening.ts';
import { ingestPayment, type Payment } from './ingest-payment.ts';
import { type EventRow, recordEvent } from './record-event.ts';

export const SHOPIFY: Actor = 'integration:shopify';

const orderId = (id: string) => `shopify:order:${id}`;

/** vouch_ref from the order's note attributes, its landing page's query, or a discount code. */
function referralOf(order: ShopifyOrder) {
  const note = order.note_attributes?.find((a) => a.name === 'vouch_ref')?.value;
  let landing: string | null = null;
  if (order.landing_site) {
    try {
      landing = new URL(order.landing_site, 'https://shop.invalid').searchParams.get('vouch_ref');
    } catch {
      landing = null;
    }
  }
  const discount = order.discount_codes?.find((d) => d.code)?.code;
  const code = note || landing || discount;
  return code ? { code } : undefined;
}

function paymentOf(order: ShopifyOrder, now: Date): Payment {
  const currency = order.currency.toUpperCase();
  const amount = fromDecimal(order.total_price, currency);
  if (amount === null) {
    throw new AppError(
      'invalid_value',
      `total_price '${order.total_price}' is not an amount in ${currency}.`,
      'total_price',
    );
  }
  const email = order.customer?.email ?? order.email ?? null;
  // A guest checkout is known by its email (see ingestPayment); a point-of-sale order may have
  // neither customer nor email, and then stands for its buyer.
  const sourceCustomer = order.customer?.id
    ? `shopify:${order.customer.id}`
    : email
      ? null
      : orderId(order.id);
  return {
    customer: null,
    sourceCustomer,
    email,
    purchaseId: orderId(order.id),
    amount,
    currency,
    referral: referralOf(order),
    occurredAt: new Date(order.created_at ?? now).toISOString(),
  };
}

/** What refunds/create gives back: its successful refund transactions, in the order's currency. */
function refundedOf(refund: ShopifyRefund): { amount: number; currency: string } | null {
  let amount = 0;
  let currency = '';
  for (const tx of refund.transactions ?? []) {
    if (tx.kind !== 'refund' || tx.status !== 'success') continue;
    currency = (tx.currency ?? currency).toUpperCase();
    const minor = fromDecimal(tx.amount ?? '', currency);
    if (minor === null)
      throw new AppError('invalid_value', `refund amount '${tx.amount}' is not an amount.`, 'amount');
    amount += minor;
  }
  return amount > 0 && currency ? { amount, currency } : null;
}

export type ShopifyOutcome =
  | { outcome: 'recorded'; events: EventRow[] }
  | { outcome: 'ignored'; reason: 'nothing_refunded' };

/**
 * orders/create (online and point of sale alike) is a sign-up and a purchase. Ids derive from
 * Shopify's, so a repeated or late delivery changes nothing.
 */
export async function ingestShopifyOrder(
  db: InTransaction,
  order: ShopifyOrder,
  now: Date,
  screening: Screening,
): Promise<ShopifyOutcome> {
  const events = await ingestPayment(db, 'shopify', paymentOf(order, now), now, SHOPIFY, screening);
  return { outcome: 'recorded', events };
}

/** refunds/create is a refund of its order, by the order's id. */
export async function ingestShopifyRefund(
  db: InTransaction,
  refund: ShopifyRefund,
  now: Date,
  screening: Screening,
): Promise<ShopifyOutcome> {
  const refunded = refundedOf(refund);
  if (!refunded) return { outcome: 'ignored', reason: 'nothing_refunded' };
  const { event } = await recordEvent(
    db,
    {
      type: 'refund',
      external_id: `shopify:refund:${refund.id}`,
      customer: { external_id: orderId(refund.order_id) },
      ...refunded,
      purchase_external_id: orderId(refund.order_id),
      ...(refund.created_at ? { occurred_at: new Date(refund.created_at).toISOString() } : {}),
    },
    now,
    SHOPIFY,
    screening,
  );
  return { outcome: 'recorded', events: [event] };
}
