import Type from 'typebox';
import { MoneySchema, Nullable, Timestamp } from './common.ts';

const Rewards = Type.Object(
  {
    referrer: Type.Optional(Nullable(MoneySchema)),
    referee: Type.Optional(Nullable(MoneySchema)),
  },
  {
    additionalProperties: false,
    description: 'What each side earns when a referral qualifies. One side may be null.',
  },
);

const Name = Type.String({ minLength: 1, maxLength: 200 });
const LandingUrl = Type.String({
  format: 'uri',
  maxLength: 2048,
  description: 'Where referral links send visitors.',
});
const WindowDays = Type.Integer({
  minimum: 1,
  maximum: 365,
  description: 'Days a click or referral stays valid.',
});
const HoldDays = Type.Integer({
  minimum: 0,
  maximum: 365,
  description:
    'Days a new reward is held (pending) before it is approved, so refunds can arrive first. Default 30.',
});
const PayoutMinimums = Type.Record(Type.String({ pattern: '^[A-Z]{3}$' }), Type.Integer(), {
  description:
    'The smallest available balance a payout run pays, per currency, in minor units ({"USD": 5000}). ' +
    'Without one, any positive balance is paid.',
});
const Status = Type.Union([Type.Literal('active'), Type.Literal('paused'), Type.Literal('archived')]);

export const ProgramCreate = Type.Object(
  {
    name: Name,
    landing_url: LandingUrl,
    rewards: Rewards,
    attribution_window_days: Type.Optional(WindowDays),
    reward_hold_days: Type.Optional(HoldDays),
    payout_minimums: Type.Optional(PayoutMinimums),
  },
  { additionalProperties: false },
);

export const ProgramUpdate = Type.Object(
  {
    name: Type.Optional(Name),
    landing_url: Type.Optional(LandingUrl),
    rewards: Type.Optional(Rewards),
    attribution_window_days: Type.Optional(WindowDays),
    reward_hold_days: Type.Optional(HoldDays),
    payout_minimums: Type.Optional(PayoutMinimums),
    status: Type.Optional(Status),
  },
  { additionalProperties: false },
);

export const Program = Type.Object(
  {
    id: Type.String(),
    object: Type.Literal('program'),
    name: Type.String(),
    landing_url: Type.String(),
    status: Status,
    rewards: Type.Object({ referrer: Nullable(MoneySchema), referee: Nullable(MoneySchema) }),
    attribution_window_days: Type.Integer(),
    reward_hold_days: Type.Integer(),
    payout_minimums: PayoutMinimums,
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  { title: 'Program' },
);
