import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { AppError } from '../../lib/errors.ts';
import { ingestShopifyWebhook } from '../../services/shopify-ingest.ts';
import type { RouteDeps } from '../deps.ts';
import { errorResponses } from '../schemas/common.ts';

const ShopifyReceipt = Type.Object({
  received: Type.Literal(true),
  outcome: Type.Union([Type.Literal('recorded'), Type.Literal('ignored')]),
  reason: Type.Optional(Type.String()),
  event_ids: Type.Array(Type.String({ description: 'The Vouch events it became.' })),
});

/** Shopify signs the raw body with the app's secret: HMAC-SHA256, base64, compared in constant time. */
function verifies(raw: Buffer, header: string | undefined, secret: string): boolean {
  if (!header) return false;
  const expected = createHmac('sha256', secret).update(raw).digest();
  const given = Buffer.from(header, 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * Shopify's webhooks: orders/create (online and point of sale) and refunds/create. Authenticated by
 * X-Shopify-Hmac-Sha256 over the raw body; registered only when the secret is configured.
 */
export const shopifyRoutes: FastifyPluginAsyncTypebox<RouteDeps & { webhookSecret: string }> = async (
  app,
  deps,
) => {
  const { store, now, screening, webhookSecret } = deps;
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) =>
    done(null, body),
  );

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
      let body: unknown;
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        throw new AppError('invalid_json', 'The body is not JSON.');
      }
      const topic = String(request.headers['x-shopify-topic'] ?? '');
      const result = await store.transaction((trx) =>
        ingestShopifyWebhook(trx, topic, body, now(), screening),
      );
      if (result.outcome === 'ignored')
        return { received: true as const, outcome: result.outcome, reason: result.reason, event_ids: [] };
      return { received: true as const, outcome: result.outcome, event_ids: result.events.map((e) => e.id) };
    },
  );
};
