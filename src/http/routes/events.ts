import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { recordEvent } from '../../services/record-event.ts';
import { actorOf } from '../auth.ts';
import type { RouteDeps } from '../deps.ts';
import { idempotentWrite } from '../idempotency.ts';
import { presentEvent } from '../presenters.ts';
import { errorResponses } from '../schemas/common.ts';
import { Event, EventCreate } from '../schemas/events.ts';

export const eventRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, deps) => {
  const { now, clicks, screening } = deps;

  app.post(
    '/v1/events',
    {
      config: { scope: 'events:write' },
      schema: {
        tags: ['events'],
        summary: 'Ingest a sign-up, purchase, refund or custom event',
        description:
          'A sign-up carrying a referral code or click id creates a referral; the first purchase of a referred ' +
          'customer within the window qualifies it and creates the rewards (or a named custom event, if the ' +
          'program qualifies on one). Idempotent by (type, external_id): ' +
          'a repeat answers 200 with the first result and changes nothing.',
        body: EventCreate,
        response: { 200: Event, 201: Event, ...errorResponses(400, 401, 404, 409, 413, 422) },
      },
    },
    async (request, reply) => {
      // Clicks reach the database in batches; a sign-up may follow its click within that delay.
      // Writing this process's batch first lets the click id resolve. (Another process's batch is
      // at most ~50 ms behind; the code in vouch_ref is the documented fallback.)
      if (request.body.referral?.click_id) await clicks.flush();
      return idempotentWrite(deps, request, reply, async (trx) => {
        const { event, replayed } = await recordEvent(trx, request.body, now(), actorOf(request), screening);
        return { status: replayed ? 200 : 201, body: presentEvent(event) };
      });
    },
  );
};
