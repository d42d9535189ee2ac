import Type, { type Static, type TProperties } from 'typebox';
import { Email, ExternalId, Nullable, Timestamp } from './common.ts';

// An event as POST /v1/events takes it: one schema per type, chosen by `type`, validated at the edge
// and handed to recordEvent as is. What a type may carry is said here, not checked again later.

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
  description: "A custom event's name (`trial_converted`, `kyc.passed`).",
});

const Customer = Type.Object(
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
);

const Context = Type.Object(
  {
    ip: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: "The visitor's IP address." })),
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
        description: "Your payment provider's card fingerprint (Stripe's card.fingerprint), for purchases.",
      }),
    ),
  },
  {
    additionalProperties: false,
    description:
      'What your backend saw of the customer. Stored only as keyed hashes; feeds identity matching and fraud rules.',
  },
);

const Referral = Type.Object(
  {
    code: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    click_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  },
  {
    additionalProperties: false,
    description: 'The vouch_ref code and/or vouch_click id the visitor arrived with.',
  },
);

const Currency = Type.String({ minLength: 3, maxLength: 3, description: 'ISO 4217.' });
const Amount = (description: string, minimum?: number) =>
  Type.Integer(minimum === undefined ? { description } : { description, minimum });
/** A field that belongs to another type of event: sent here, it is refused as invalid_value. */
const Refused = (why: string) => Type.Optional(Type.Never({ description: why }));

const NO_NAME = Refused('Only a custom event has a name.');
const NO_LOYALTY = Refused('Only a purchase earns loyalty_points.');
const NO_PURCHASE = Refused('Only a refund names a purchase_external_id.');
// A sign-up or a custom event carries an order or none; half of one is refused.
const OPTIONAL_ORDER = {
  amount: Type.Optional(Amount('Minor units, with currency: the order a share reward is paid on.')),
  currency: Type.Optional(Currency),
};
const ORDER_IN_PAIRS = { dependentRequired: { amount: ['currency'], currency: ['amount'] } };

function eventOf<T extends 'signup' | 'purchase' | 'refund' | 'custom', P extends TProperties>(
  type: T,
  fields: P,
  options: object = {},
) {
  return Type.Object(
    {
      type: Type.Literal(type),
      external_id: Type.String({
        minLength: 1,
        maxLength: 255,
        description:
          'Your id for this event (user id, order id...): a repeat with the same type and id changes nothing.',
      }),
      program_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
      customer: Customer,
      context: Type.Optional(Context),
      referral: Type.Optional(Referral),
      occurred_at: Type.Optional(Timestamp),
      ...fields,
    },
    { additionalProperties: false, title: `${type[0]?.toUpperCase()}${type.slice(1)}Event`, ...options },
  );
}

export const SignupEvent = eventOf(
  'signup',
  { ...OPTIONAL_ORDER, name: NO_NAME, loyalty_points: NO_LOYALTY, purchase_external_id: NO_PURCHASE },
  ORDER_IN_PAIRS,
);

export const PurchaseEvent = eventOf('purchase', {
  amount: Amount('Minor units.'),
  currency: Currency,
  loyalty_points: Type.Optional(
    Type.Integer({
      description:
        'Points your own loyalty programme gave for this order. Points rewards marked exclusive_of_loyalty make up only the difference.',
    }),
  ),
  name: NO_NAME,
  purchase_external_id: NO_PURCHASE,
});

export const RefundEvent = eventOf('refund', {
  amount: Amount('Minor units; at least 1 (a refund of nothing is a mistake on the sender’s side).', 1),
  currency: Currency,
  purchase_external_id: Type.String({
    minLength: 1,
    maxLength: 255,
    description: 'The external_id the refunded purchase was sent with.',
  }),
  name: NO_NAME,
  loyalty_points: NO_LOYALTY,
});

export const CustomEvent = eventOf(
  'custom',
  { name: CustomEventName, ...OPTIONAL_ORDER, loyalty_points: NO_LOYALTY, purchase_external_id: NO_PURCHASE },
  ORDER_IN_PAIRS,
);

export type EventInput =
  | Static<typeof SignupEvent>
  | Static<typeof PurchaseEvent>
  | Static<typeof RefundEvent>
  | Static<typeof CustomEvent>;

/** Any event, told apart by `type` (a discriminated oneOf: errors name the fields of the type sent). */
export const EventCreate = Type.Unsafe<EventInput>({
  type: 'object',
  oneOf: [SignupEvent, PurchaseEvent, RefundEvent, CustomEvent],
  discriminator: { propertyName: 'type' },
});
