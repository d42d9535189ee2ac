import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Stripe from 'stripe';
import Type from 'typebox';
import { STRIPE_EVENT_OBJECTS } from '../../domain/inputs/stripe.ts';
import { AppError } from '../../lib/errors.ts';
import { ingestStripeEvent } from '../../services/ingest/ingest-stripe.ts';
import type { RouteDeps } from '../deps.ts';
import { errorResponses } from '../schemas/common.ts';
import { bodyValidator } from '../validators.ts';

const StripeReceipt = Type.Object({
  received: Type.Literal(true),
  outcome: Type.Union([Type.Literal('recorded'), Type.Literal('ignored')]),
  reason: Type.Optional(Type.String()),
  event_ids: Type.Array(Type.String({ description: 'The Vouch events it became.' })),
});

/**
 * Stripe's webhooks: checkout.session.completed and invoice.paid are purchases (and the sign-up
 * that carries their referral), charge.refunded and charge.dispute.created are refunds, and
 * charge.dispute.closed (won) gives back what the chargeback took. Authenticated by Stripe's signature
 * over the raw body, not by an API key; registered only when its signing secret is configured.
 */
export const stripeRoutes: FastifyPluginAsyncTypebox<RouteDeps & { webhookSecret: string }> = async (
  app,
  deps,
) => {
  const { store, now, screening, webhookSecret } = deps;
  // Only signature verification needs the client; it makes no API call, so no API key is needed.
  const stripe = new Stripe('sk_unused_for_signatures');
  // Each object Vouch reads is checked against the fields it reads (a 400 naming the field), so a
  // service never meets a price that is text or an id that is a number.
  const checkObject = Object.fromEntries(
    Object.entries(STRIPE_EVENT_OBJECTS).map(([type, object]) => [
      type,
      bodyValidator(Type.Object({ data: Type.Object({ object }) })),
    ]),
  );
  // The signature covers the body byte for byte: keep it raw here.
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) =>
    done(null, body),
  );

  app.post(
    '/integrations/stripe/webhook',
    {
      schema: {
        tags: ['integrations'],
        summary: "Stripe's webhook endpoint: payments, refunds and chargebacks become purchases and refunds",
        description:
          'Point a Stripe webhook endpoint here for checkout.session.completed, invoice.paid, charge.refunded, ' +
          'charge.dispute.created and charge.dispute.closed, and set VOUCH_STRIPE_WEBHOOK_SECRET to its signing ' +
          'secret. Objects of every API version are read, before and since 2025-03-31 (basil). The customer is ' +
          'matched by client_reference_id (else a known email, else the Stripe customer id); the referral by ' +
          'vouch_ref / vouch_click metadata (the invoice’s, else its subscription’s) or an expanded promotion code ' +
          'equal to a referral code.',
        response: { 200: StripeReceipt, ...errorResponses(400, 422) },
      },
    },
    async (request) => {
      const signature = request.headers['stripe-signature'];
      let event: Stripe.Event;
      try {
        event = stripe.webhooks.constructEvent(
          request.body as Buffer,
          String(signature ?? ''),
          webhookSecret,
        );
      } catch (error) {
        const detail = error instanceof Error ? error.message : 'unreadable';
        throw new AppError(
          'invalid_signature',
          `The Stripe-Signature header does not verify: ${detail}`,
          'stripe-signature',
        );
      }
      checkObject[event.type]?.(event);
      const result = await store.transaction((trx) => ingestStripeEvent(trx, event, now(), screening));
      if (result.outcome === 'ignored')
        return { received: true as const, outcome: result.outcome, reason: result.reason, event_ids: [] };
      return { received: true as const, outcome: result.outcome, event_ids: result.events.map((e) => e.id) };
    },
  );
};
