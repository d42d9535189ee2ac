import Type from 'typebox';
import { Nullable, PageQuery, Timestamp } from './common.ts';
import { RewardKind } from './rewards.ts';

const Id = Type.String({ minLength: 1, maxLength: 64 });
const PoolKind = Type.Union([Type.Literal('coupon'), Type.Literal('gift_card')]);

export const RewardPool = Type.Object(
  {
    id: Type.String(),
    object: Type.Literal('reward_pool'),
    program_id: Type.String(),
    kind: PoolKind,
    name: Type.String(),
    low_stock_threshold: Type.Integer({
      description: 'The draw that leaves this many codes raises reward_pool.low.',
    }),
    available: Type.Integer({ description: 'Codes not drawn yet.' }),
    drawn: Type.Integer({ description: 'Codes given to rewards.' }),
    created_at: Timestamp,
  },
  { title: 'RewardPool' },
);

export const RewardPoolCreate = Type.Object(
  {
    program_id: Id,
    kind: PoolKind,
    name: Type.String({ minLength: 1, maxLength: 200 }),
    low_stock_threshold: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 1_000_000, description: 'Default 10.' }),
    ),
  },
  { additionalProperties: false },
);

export const RewardPoolListQuery = Type.Object(
  { program_id: Type.Optional(Id), ...PageQuery },
  { additionalProperties: false },
);

export const PoolCodesAdd = Type.Object(
  {
    codes: Type.Array(Type.String({ minLength: 1, maxLength: 128 }), {
      minItems: 1,
      maxItems: 10_000,
      description: 'Codes already in the pool are skipped, so an upload can be retried.',
    }),
  },
  { additionalProperties: false },
);

export const PoolCodesAdded = Type.Object({
  added: Type.Integer(),
  skipped: Type.Integer({ description: 'Codes the pool had already (or repeated in the upload).' }),
  fulfilled: Type.Array(Type.String(), {
    description: 'Rewards that were waiting for a code and got one from this upload.',
  }),
  pool: RewardPool,
});

const TaskStatus = Type.Union([Type.Literal('open'), Type.Literal('done'), Type.Literal('canceled')]);

const TaskRecipient = Type.Object(
  {
    participant_id: Type.String(),
    side: Type.Union(
      [Type.Literal('referrer'), Type.Literal('referee'), Type.Literal('referrer_milestone')],
      { description: 'Which side of the referral the reward is for.' },
    ),
    external_id: Type.String({ description: "The participant's id in your system." }),
    email: Nullable(Type.String()),
    name: Nullable(Type.String()),
  },
  { description: 'Who the reward goes to.' },
);

export const FulfilmentTask = Type.Object(
  {
    id: Type.String(),
    object: Type.Literal('fulfilment_task'),
    program_id: Type.String(),
    reward_id: Type.String(),
    description: Type.String(),
    status: TaskStatus,
    recipient: TaskRecipient,
    kind: RewardKind,
    amount: Type.Integer({ description: "The reward's value, in minor units of currency." }),
    currency: Type.String(),
    created_at: Timestamp,
    completed_at: Nullable({ ...Timestamp, description: 'When it was done; null unless done.' }),
    completed_by: Nullable(Type.String({ description: 'The actor that completed it; null unless done.' })),
    canceled_at: Nullable({
      ...Timestamp,
      description: 'When it was canceled (its reward was clawed back); null unless canceled.',
    }),
    canceled_by: Nullable(
      Type.String({ description: 'The actor whose clawback canceled it; null unless canceled.' }),
    ),
    note: Nullable(Type.String()),
  },
  { title: 'FulfilmentTask' },
);

export const TaskListQuery = Type.Object(
  {
    status: Type.Optional(TaskStatus),
    program_id: Type.Optional(Id),
    reward_id: Type.Optional(Id),
    ...PageQuery,
  },
  { additionalProperties: false },
);

export const TaskComplete = Type.Object(
  {
    note: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })),
    code: Type.Optional(
      Type.String({ minLength: 1, maxLength: 128, description: 'A gift-card code to deliver with it.' }),
    ),
    reference: Type.Optional(
      Type.String({ minLength: 1, maxLength: 255, description: "The fulfiller's order or shipment id." }),
    ),
  },
  { additionalProperties: false },
);
