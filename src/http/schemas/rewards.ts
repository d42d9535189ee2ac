import Type from 'typebox';
import { PageQuery, Timestamp } from './common.ts';

export const Reward = Type.Object(
  {
    id: Type.String(),
    object: Type.Literal('reward'),
    program_id: Type.String(),
    referral_id: Type.String(),
    participant_id: Type.String(),
    side: Type.Union([Type.Literal('referrer'), Type.Literal('referee')]),
    amount: Type.Integer(),
    currency: Type.String(),
    status: Type.Union([
      Type.Literal('pending'),
      Type.Literal('approved'),
      Type.Literal('issued'),
      Type.Literal('redeemed'),
      Type.Literal('reversed'),
    ]),
    created_at: Timestamp,
  },
  { title: 'Reward' },
);

export const RewardListQuery = Type.Object(
  {
    participant_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    referral_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    ...PageQuery,
  },
  { additionalProperties: false },
);
