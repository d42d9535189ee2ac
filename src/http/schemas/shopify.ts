import Type from 'typebox';

export { ShopifyOrder, ShopifyRefund } from '../../domain/inputs/shopify.ts';

export const ShopifyReceipt = Type.Object({
  received: Type.Literal(true),
  outcome: Type.Union([Type.Literal('recorded'), Type.Literal('ignored')]),
  reason: Type.Optional(Type.String()),
  event_ids: Type.Array(Type.String({ description: 'The Vouch events it became.' })),
});
