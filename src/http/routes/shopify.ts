import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AppError } from '../../lib/errors.ts';
import { parseJsonKeepingNumbers } from '../../lib/exact-json.ts';
import { ingestShopifyOrder, ingestShopifyRefund } from '../../services/ingest/ingest-shopify.ts';
import type { RouteDeps } from '../deps.ts';
import { errorResponses } from '../schemas/common.ts';
import { ShopifyOrder, ShopifyReceipt, ShopifyRefund } from '../schemas/shopify.ts';
import { bodyValidator } from '../validators.ts';

/** Shopify signs the raw body with the app's secret: HMAC-SHA256, base64, compared in constant time. */
function verifies(raw: Buffer, header: string | undefined, secret: string): boolean {
  if (!header) return false;
  const expected = createHmac('sha256', secret).update(raw).digest();
  const given = Buffer.from(header, 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function parse(raw: Buffer): unknown {
  try {
    return parseJsonKeepingNumbers(raw.toString('utf8'));
  } catch {
    throw new AppError('invalid_json', 'The body is not valid JSON.');
  }
}

const readOrder = bodyValidator(ShopifyOrder);
const readRefund = bodyValidator(ShopifyRefund);

/**
 * Shopify's webhooks: orders/create (online and point of sale) and refunds/create. Authenticated by
 * X-Shopify-Hmac-Sha256 over the raw body; registered only when the secret is configured.
 */
export const shopifyRoutes: FastifyPluginAsyncTypebox<RouteDeps & { webhookSecret: string }> = async (
  app,
  deps,
) => {
  const { store, now, screening, webhookSecret } = deps;
  // The signature covers the body byte for byte, and JSON.parse would round 64-bit ids: keep it raw.
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) =>
    done(null, body),
  );

  const ingestOrder = (order: ShopifyOrder) =>
    store.transaction((trx) => ingestShopifyOrder(trx, order, now(), screening));
  const ingestRefund = (refund: ShopifyRefund) =>
    store.transaction((trx) => ingestShopifyRefund(trx, refund, now(), screening));

  app.post(
    '/integrations/shopify/webhook',
    {
      schema: {
        tags: ['integrations'],
        summary: "Shopify's webhook endpoint: orders and refunds become purchases and refunds",
        description:
          'Subscribe orders/create and refunds/create here and set VOUCH_SHOPIFY_WEBHOOK_SECRET. The referral comes ' +
          "from the order's vouch_ref note attribute, its landing site's vouch_ref, or a discount code equal to a referral code.",
        response: { 200: ShopifyReceipt, ...errorResponses(400, 422) },
      },
    },
    async (request) => {
      const raw = request.body as Buffer;
      if (!verifies(raw, request.headers['x-shopify-hmac-sha256'] as string | undefined, webhookSecret)) {
        throw new AppError(
          'invalid_signature',
          'The X-Shopify-Hmac-Sha256 header does not verify.',
          'x-shopify-hmac-sha256',
        );
      }
      // Shopify retries anything but a 2xx for 48 hours: a topic Vouch does not read is acknowledged unread.
      const topic = String(request.headers['x-shopify-topic'] ?? '');
      if (topic !== 'orders/create' && topic !== 'refunds/create')
        return { received: true as const, outcome: 'ignored' as const, reason: 'topic', event_ids: [] };
      // The payload is checked before the transaction opens: a malformed one is a 400 naming its field.
      const body = parse(raw);
      const result =
        topic === 'orders/create' ? await ingestOrder(readOrder(body)) : await ingestRefund(readRefund(body));
      if (result.outcome === 'ignored')
        return { received: true as const, outcome: result.outcome, reason: result.reason, event_ids: [] };
      return { received: true as const, outcome: result.outcome, event_ids: result.events.map((e) => e.id) };
    },
  );
};
