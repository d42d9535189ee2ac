import Type from 'typebox';
import { EVENT_TYPES } from '../../domain/webhooks.ts';
import { Nullable, PageQuery, Timestamp } from './common.ts';

const EventList = Type.Array(Type.String({ minLength: 1, maxLength: 64 }), {
  minItems: 1,
  maxItems: 50,
  description: `Event types to receive, or ["*"] for all: ${EVENT_TYPES.join(', ')}.`,
});

export const WebhookEndpoint = Type.Object(
  {
    id: Type.String(),
    object: Type.Literal('webhook_endpoint'),
    url: Type.String(),
    description: Nullable(Type.String()),
    events: Type.Array(Type.String()),
    status: Type.Union([Type.Literal('enabled'), Type.Literal('disabled')]),
    disabled_reason: Nullable(
      Type.String({
        description: 'by_admin, gone (it answered 410), failing (no success for 5 days) or deleted.',
      }),
    ),
    failing_since: Nullable(Timestamp),
    previous_secret_expires_at: Nullable(Timestamp),
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  { title: 'WebhookEndpoint' },
);

export const WebhookEndpointWithSecret = Type.Object(
  {
    ...WebhookEndpoint.properties,
    secret: Nullable(
      Type.String({
        description:
          'whsec_…: shown only in this response. Verify with any Standard Webhooks library. A replay of the ' +
          'request (same Idempotency-Key) shows the current secret, as it is not kept with the stored ' +
          'response; null once the endpoint is deleted.',
      }),
    ),
  },
  { title: 'WebhookEndpointWithSecret' },
);

export const WebhookEndpointCreate = Type.Object(
  {
    url: Type.String({ minLength: 1, maxLength: 2048 }),
    events: EventList,
    description: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
  },
  { additionalProperties: false },
);

export const WebhookEndpointUpdate = Type.Object(
  {
    url: Type.Optional(Type.String({ minLength: 1, maxLength: 2048 })),
    events: Type.Optional(EventList),
    description: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
    status: Type.Optional(Type.Union([Type.Literal('enabled'), Type.Literal('disabled')])),
  },
  { additionalProperties: false },
);

export const SecretRotation = Type.Object(
  {
    overlap_hours: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 168,
        description: 'How long the old secret keeps signing beside the new one. Default 24.',
      }),
    ),
  },
  { additionalProperties: false },
);

const DeliveryStatus = Type.Union([
  Type.Literal('pending'),
  Type.Literal('delivered'),
  Type.Literal('failed'),
]);

export const WebhookDelivery = Type.Object(
  {
    id: Type.String(),
    object: Type.Literal('webhook_delivery'),
    endpoint_id: Type.String(),
    message_id: Type.String({ description: 'The webhook-id header of every attempt.' }),
    event_type: Type.String(),
    status: DeliveryStatus,
    attempts: Type.Integer({ description: 'Attempts made, replays included: one per entry of attempt_log.' }),
    next_attempt_at: Timestamp,
    last_status_code: Nullable(Type.Integer()),
    last_error: Nullable(Type.String()),
    created_at: Timestamp,
    delivered_at: Nullable(Timestamp),
    attempt_log: Type.Array(
      Type.Object({
        attempted_at: Timestamp,
        status_code: Nullable(Type.Integer()),
        error: Nullable(Type.String()),
        duration_ms: Type.Integer(),
      }),
    ),
  },
  { title: 'WebhookDelivery' },
);

export const DeliveryListQuery = Type.Object(
  { status: Type.Optional(DeliveryStatus), ...PageQuery },
  { additionalProperties: false },
);
