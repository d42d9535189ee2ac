import { AccountingClass, RewardKind } from '../../domain/inputs/program-rules.ts';

export { AccountingClass, RewardKind };

import Type from 'typebox';
import { Nullable, PageQuery, Timestamp } from './common.ts';

const RewardStatus = Type.Union([
  Type.Literal('pending'),
  Type.Literal('approved'),
  Type.Literal('issued'),
  Type.Literal('redeemed'),
  Type.Literal('reversed'),
]);

const ReversalReason = Type.Union([
  Type.Literal('refund'),
  Type.Literal('fraud'),
  Type.Literal('duplicate'),
  Type.Literal('other'),
]);

export const Reward = Type.Object(
  {
    id: Type.String(),
    object: Type.Literal('reward'),
    program_id: Type.String(),
    referral_id: Type.String(),
    participant_id: Type.String(),
    side: Type.Union([Type.Literal('referrer'), Type.Literal('referee'), Type.Literal('referrer_milestone')]),
    amount: Type.Integer({
      description: 'As earned, in minor units; what is kept is amount - reversed_amount.',
    }),
    currency: Type.String(),
    status: RewardStatus,
    reversed_amount: Type.Integer({ description: 'Clawed back so far (refunds, fraud).' }),
    qualifying_event_id: Nullable(Type.String({ description: 'The purchase that earned it.' })),
    available_at: Timestamp,
    approved_at: Nullable(Timestamp),
    released_at: Nullable({
      ...Timestamp,
      description:
        'When an admin released it to be approved and paid although its participant is disabled; null if never.',
    }),
    issued_at: Nullable(Timestamp),
    reversed_at: Nullable(Timestamp),
    reversal_reason: Nullable(ReversalReason),
    payout_id: Nullable(Type.String()),
    created_at: Timestamp,
    kind: RewardKind,
    accounting_class: AccountingClass,
    fulfilment: Nullable(
      Type.Object(
        {
          method: Type.Union([
            Type.Literal('payout'),
            Type.Literal('grant'),
            Type.Literal('pool'),
            Type.Literal('generate'),
            Type.Literal('task'),
          ]),
          pool_id: Type.Optional(Type.String()),
          code_pattern: Type.Optional(Type.String()),
          description: Type.Optional(Type.String()),
        },
        { description: 'How a reward in kind is delivered; null for cash (payout runs).' },
      ),
    ),
    code: Nullable(Type.String({ description: 'The coupon or gift-card code delivered.' })),
    fulfilment_reference: Nullable(Type.String({ description: 'What the fulfiller reported on delivery.' })),
    redeemed_at: Nullable(Timestamp),
  },
  { title: 'Reward' },
);

export const RewardListQuery = Type.Object(
  {
    participant_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    referral_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    status: Type.Optional(RewardStatus),
    kind: Type.Optional(RewardKind),
    ...PageQuery,
  },
  { additionalProperties: false },
);

export const RewardReverse = Type.Object(
  {
    amount: Type.Optional(
      Type.Integer({ description: 'Minor units to claw back; by default all that is left of the reward.' }),
    ),
    reason: Type.Union([Type.Literal('fraud'), Type.Literal('duplicate'), Type.Literal('other')]),
  },
  { additionalProperties: false },
);

export const RewardRedeem = Type.Object(
  {
    reference: Type.Optional(
      Type.String({ minLength: 1, maxLength: 255, description: 'Your order or transaction that used it.' }),
    ),
  },
  { additionalProperties: false },
);
