import type { FastifyDynamicSwaggerOptions } from '@fastify/swagger';
import Type from 'typebox';
import { EVENT_DATA, EVENT_DESCRIPTIONS, EVENT_TYPES, type EventType } from '../../domain/webhook-events.ts';
import { PAYLOAD_VERSION } from '../../domain/webhooks.ts';

const SIGNATURE_HEADERS = [
  ['webhook-id', 'The event id: the same on every attempt, so a receiver drops duplicates by it.'],
  ['webhook-timestamp', 'Seconds since the epoch when this attempt was signed.'],
  ['webhook-signature', 'v1,<base64 HMAC-SHA256>, space-separated; two during a secret rotation.'],
].map(([name, description]) => ({
  in: 'header',
  name,
  required: true,
  description,
  schema: { type: 'string' },
}));

/** The body Vouch POSTs for an event: the envelope every event shares around its `data`. */
const body = (type: EventType) =>
  Type.Object({
    id: Type.String({ description: 'The event id (`obx_…`), also sent as the webhook-id header.' }),
    type: Type.Literal(type),
    api_version: Type.Literal(PAYLOAD_VERSION),
    created_at: Type.String({ format: 'date-time' }),
    data: EVENT_DATA[type],
  });

/**
 * The API document's `webhooks` section (OpenAPI 3.1): every event of the catalogue as the
 * request Vouch sends to an endpoint, signed per Standard Webhooks.
 */
type OpenApiDocument = NonNullable<FastifyDynamicSwaggerOptions['openapi']>;
type Webhooks = NonNullable<Extract<OpenApiDocument, { webhooks?: unknown }>['webhooks']>;

export function webhookCatalogue(): Webhooks {
  // TypeBox schemas are JSON Schema, which the OpenAPI types do not know; openapi.test.ts checks the document.
  return Object.fromEntries(
    EVENT_TYPES.map((type) => [
      type,
      {
        post: {
          summary: type,
          description: EVENT_DESCRIPTIONS[type],
          tags: ['webhook events'],
          parameters: SIGNATURE_HEADERS,
          requestBody: { required: true, content: { 'application/json': { schema: body(type) } } },
          responses: {
            '2XX': { description: 'Received. 410 disables the endpoint; any other answer is retried.' },
          },
        },
      },
    ]),
  ) as Webhooks;
}
