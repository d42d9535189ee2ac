import Type from 'typebox';
import { Nullable, PageQuery, Timestamp } from './common.ts';

export const PayoutCreate = Type.Object(
  {
    program_id: Type.String({ minLength: 1, maxLength: 64 }),
    currency: Type.String({ minLength: 3, maxLength: 3 }),
  },
  { additionalProperties: false },
);

export const Payout = Type.Object(
  {
    id: Type.String(),
    object: Type.Literal('payout'),
    program_id: Type.String(),
    currency: Type.String(),
    status: Type.Union([Type.Literal('pending'), Type.Literal('paid'), Type.Literal('canceled')]),
    amount: Type.Integer({ description: 'The sum of its lines, in minor units.' }),
    item_count: Type.Integer(),
    created_at: Timestamp,
    settled_at: Nullable(Timestamp),
  },
  { title: 'Payout' },
);

export const PayoutListQuery = Type.Object(
  { program_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })), ...PageQuery },
  { additionalProperties: false },
);
