import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { recordEvent } from '../../services/ingest/record-event.ts';
import { actorOf } from '../auth.ts';
import type { RouteDeps } from '../deps.ts';
import { idempotentWrite } from '../idempotency.ts';
import { presentEvent } from '../presenters.ts';
import { errorResponses } from '../schemas/common.ts';
import { Event, EventCreate, EventType } from '../schemas/events.ts';

const EVENT_TYPES: ReadonlySet<unknown> = new Set(EventType.anyOf.map((type) => type.const));

export const eventRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, deps) => {
  const { now, clicks, screening, metrics } = deps;

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
      // Counted once answered: 201 created; 200 (the same type and external_id, or the same
      // Idempotency-Key) replayed; anything else rejected, by its error code. A type outside the
      // four (a rejected body) is counted as `invalid`, so no sent value becomes a label.
      onResponse: (request, reply, done) => {
        const sent = (request.body as { type?: unknown } | undefined)?.type;
        const type = EVENT_TYPES.has(sent) ? (sent as string) : 'invalid';
        const status = reply.statusCode;
        const replayed = status === 200 || reply.getHeader('idempotent-replayed') === 'true';
        if (status === 201 && !replayed) metrics.event(type, 'created');
        else if (status === 200 || (status === 201 && replayed)) metrics.event(type, 'replayed');
        else metrics.event(type, 'rejected', reply.errorCode ?? 'internal_error');
        done();
      },
    },
    async (request, reply) => {
      // Durable clicks are committed before their 302, so the click id always resolves. Clicks
      // still in memory (VOUCH_CLICK_WRITES=buffered, or a write that failed and waits for its
      // retry) are written first when they are this process's; another process's are not, and the
      // code in vouch_ref is the documented fallback.
      if (request.body.referral?.click_id) await clicks.flush();
      return idempotentWrite(deps, request, reply, async (trx) => {
        const { event, replayed } = await recordEvent(trx, request.body, now(), actorOf(request), screening);
        return { status: replayed ? 200 : 201, body: presentEvent(event) };
      });
    },
  );
};
