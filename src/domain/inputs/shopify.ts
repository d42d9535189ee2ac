import Type, { type Static } from 'typebox';

// Shopify's payloads, reduced to the fields Vouch reads; Shopify sends many more, so the rest pass.
// Bodies are parsed with every number kept as its text (parseJsonKeepingNumbers), so an id or a
// price is a string here whether Shopify wrote it as a number or as a string.

/** Shopify's ids are signed 64-bit integers: positive, at most 19 digits. */
const ShopifyId = Type.String({
  pattern: '^[1-9][0-9]{0,18}$',
  description: 'A Shopify id, every digit kept.',
});
const Decimal = Type.String({ description: 'A decimal amount in major units ("49.90").' });
const Text = Type.Union([Type.String(), Type.Null()]);

export const ShopifyOrder = Type.Object({
  id: ShopifyId,
  email: Type.Optional(Text),
  customer: Type.Optional(
    Type.Union([
      Type.Object({ id: Type.Optional(Type.Union([ShopifyId, Type.Null()])), email: Type.Optional(Text) }),
      Type.Null(),
    ]),
  ),
  total_price: Decimal,
  currency: Type.String({ minLength: 3, maxLength: 3 }),
  created_at: Type.Optional(Type.String({ format: 'date-time' })),
  discount_codes: Type.Optional(
    Type.Union([Type.Array(Type.Object({ code: Type.Optional(Type.String()) })), Type.Null()]),
  ),
  note_attributes: Type.Optional(
    Type.Union([
      Type.Array(Type.Object({ name: Type.Optional(Type.String()), value: Type.Optional(Text) })),
      Type.Null(),
    ]),
  ),
  landing_site: Type.Optional(Text),
});

export const ShopifyRefund = Type.Object({
  id: ShopifyId,
  order_id: ShopifyId,
  created_at: Type.Optional(Type.String({ format: 'date-time' })),
  transactions: Type.Optional(
    Type.Union([
      Type.Array(
        Type.Object({
          kind: Type.Optional(Type.String()),
          status: Type.Optional(Type.String()),
          amount: Type.Optional(Decimal),
          currency: Type.Optional(Type.String({ minLength: 3, maxLength: 3 })),
        }),
      ),
      Type.Null(),
    ]),
  ),
});

export type ShopifyOrder = Static<typeof ShopifyOrder>;
export type ShopifyRefund = Static<typeof ShopifyRefund>;
