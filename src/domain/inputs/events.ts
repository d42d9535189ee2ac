import Type from 'typebox';
import { Email, ExternalId, Nullable, Timestamp } from './common.ts';

// An event as POST /v1/events takes it: validated at the edge, then handed to recordEvent as is.

export const EventType = Type.Union([
  Type.Literal('signup'),
  Type.Literal('purchase'),
  Type.Literal('refund'),
  Type.Literal('custom'),
]);

/** A custom event's name, matched by a program's `qualification.event_name`. */
export const CustomEventName = Type.String({
  minLength: 1,
  maxLength: 64,
  pattern: '^[a-z][a-z0-9_.]*$',
  description: "A custom event's name (`trial_converted`, `kyc.passed`). Required for custom events only.",
});

export const EventCreate = Type.Object(
  {
    type: EventType,
    external_id: Type.String({
      minLength: 1,
      maxLength: 255,
      description:
        'Your id for this event (user id, order id...): a repeat with the same type and id changes nothing.',
    }),
    program_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    customer: Type.Object(
      {
        external_id: ExternalId,
        email: Type.Optional(Nullable(Email)),
        phone: Type.Optional(
          Nullable(
            Type.String({
              minLength: 1,
              maxLength: 32,
              description: 'International format (+14155550123); matched as E.164.',
            }),
          ),
        ),
      },
      { additionalProperties: false },
    ),
    context: Type.Optional(
      Type.Object(
        {
          ip: Type.Optional(
            Type.String({ minLength: 1, maxLength: 64, description: "The visitor's IP address." }),
          ),
          user_agent: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
          device_id: Type.Optional(
            Type.String({
              minLength: 1,
              maxLength: 128,
              description:
                "The vouch_device cookie, or your app's own device id: matched to clicks from that device.",
            }),
          ),
          payment_fingerprint: Type.Optional(
            Type.String({
              minLength: 1,
              maxLength: 128,
              description:
                "Your payment provider's card fingerprint (Stripe's card.fingerprint), for purchases.",
            }),
          ),
        },
        {
          additionalProperties: false,
          description:
            'What your backend saw of the customer. Stored only as keyed hashes; feeds identity matching and fraud rules.',
        },
      ),
    ),
    referral: Type.Optional(
      Type.Object(
        {
          code: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
          click_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
        },
        {
          additionalProperties: false,
          description: 'The vouch_ref code and/or vouch_click id the visitor arrived with.',
        },
      ),
    ),
    name: Type.Optional(CustomEventName),
    amount: Type.Optional(
      Type.Integer({
        description:
          'Minor units; required for purchase and refund. Optional for custom, with currency: the order a share reward is paid on.',
      }),
    ),
    currency: Type.Optional(Type.String({ minLength: 3, maxLength: 3 })),
    occurred_at: Type.Optional(Timestamp),
    loyalty_points: Type.Optional(
      Type.Integer({
        description:
          'Purchases: points your own loyalty programme gave for this order. Points rewards marked exclusive_of_loyalty make up only the difference.',
      }),
    ),
    purchase_external_id: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 255,
        description: "A refund's purchase: the external_id it was sent with. Required for refunds only.",
      }),
    ),
  },
  { additionalProperties: false },
);
