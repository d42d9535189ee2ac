import Type from 'typebox';
import { MoneySchema, Nullable } from './common.ts';
import { CustomEventName } from './events.ts';

// A program's incentive rules as the API takes them (rewards, qualification, caps): validated at the
// edge, then checked further and turned into the domain's RewardRules by program-rules.ts.

export const RewardKind = Type.Union(
  [
    Type.Literal('cash'),
    Type.Literal('credit'),
    Type.Literal('coupon'),
    Type.Literal('gift_card'),
    Type.Literal('points'),
    Type.Literal('custom'),
  ],
  {
    description:
      'cash (paid out), credit, coupon, gift_card, points (in PTS) or custom. Only cash reaches payouts; the others are delivered when approved.',
  },
);

export const AccountingClass = Type.Union(
  [
    Type.Literal('marketing_expense'),
    Type.Literal('contra_revenue'),
    Type.Literal('customer_acquisition_cost'),
  ],
  { description: "How finance books the reward; by default its kind's usual class." },
);

export const Segment = Type.String({
  minLength: 1,
  maxLength: 64,
  pattern: '^[a-z0-9][a-z0-9_-]*$',
  description:
    'A group you put the participant in (`vip`, `employees`); rules may reward only some segments.',
});

export const RewardSpec = Type.Object(
  {
    amount: Type.Optional(Type.Integer({ description: 'A fixed reward, in minor units.' })),
    basis_points: Type.Optional(
      Type.Integer({
        description: 'Or a share of the qualifying order, in 1/100 of a percent (1000 = 10%).',
      }),
    ),
    currency: Type.String({ minLength: 3, maxLength: 3, description: 'ISO 4217, or PTS for points.' }),
    min_amount: Type.Optional(Type.Integer({ description: 'For a share: at least this much.' })),
    max_amount: Type.Optional(Type.Integer({ description: 'For a share: at most this much.' })),
    kind: Type.Optional(RewardKind),
    accounting_class: Type.Optional(AccountingClass),
    pool_id: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 64,
        description: "coupon, gift_card: draw codes from this pool of the program's (fixed amount only).",
      }),
    ),
    code_pattern: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 80,
        description:
          'coupon: make a code from this pattern, `{N}` standing for N random characters (6–20): FRIEND-{8}.',
      }),
    ),
    description: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 500,
        description: 'custom, and gift_card without a pool: what the fulfilment task asks an admin to do.',
      }),
    ),
    exclusive_of_loyalty: Type.Optional(
      Type.Boolean({
        description:
          "points, the referee's side only: the referee's points on an order are cut by the `loyalty_points` it earned, " +
          "so the order earns the larger, never both. Refused on the referrer's side (referrer, tiers, milestones): " +
          "the order's loyalty points are the buyer's, not the referrer's.",
      }),
    ),
  },
  {
    additionalProperties: false,
    description: 'Either `amount` or `basis_points`. A share only pays on orders in its currency.',
  },
);

// Tiers and milestones are one schema for what is written and what is read back, so a rule
// returned by GET and sent back by PATCH keeps every field (a milestone's kind included).
export const Tiers = Type.Array(
  Type.Object(
    {
      from_referral: Type.Integer({ description: "From the referrer's Nth rewarded referral on." }),
      reward: RewardSpec,
    },
    { additionalProperties: false },
  ),
  { maxItems: 20, description: 'Escalating rewards: the highest tier reached replaces `referrer`.' },
);
export const Milestones = Type.Array(
  Type.Object(
    {
      at_referral: Type.Integer({ description: "On the referrer's Nth rewarded referral." }),
      reward: RewardSpec,
    },
    { additionalProperties: false },
  ),
  {
    maxItems: 20,
    description:
      'One-off bonuses of a fixed amount, of any kind, for the referrer, on top of the referral reward.',
  },
);

export const Rewards = Type.Object(
  {
    referrer: Type.Optional(Nullable(RewardSpec)),
    referee: Type.Optional(Nullable(RewardSpec)),
    referrer_tiers: Type.Optional(Tiers),
    milestones: Type.Optional(Milestones),
  },
  {
    additionalProperties: false,
    description: 'What each side earns when a referral qualifies. One side may be null.',
  },
);

export const QualifyingEvent = Type.Union(
  [Type.Literal('signup'), Type.Literal('purchase'), Type.Literal('custom')],
  {
    description: 'What qualifies: the sign-up, a purchase, or a custom event named `event_name`.',
  },
);
export const Segments = Type.Array(Segment, {
  maxItems: 50,
  description: "Only participants in one of these segments earn their side's rewards; empty: everyone.",
});

export const QualificationInput = Type.Object(
  {
    event: Type.Optional(QualifyingEvent),
    event_name: Type.Optional(Nullable(CustomEventName)),
    within_days: Type.Optional(
      Nullable(
        Type.Integer({
          description:
            'The qualifying event must occur within this many days of the sign-up (1 to 3650); later, ' +
            'the referral expires (outside_qualification_period). Null: no limit.',
        }),
      ),
    ),
    referrer_segments: Type.Optional(Segments),
    referee_segments: Type.Optional(Segments),
    purchase_number: Type.Optional(
      Type.Integer({ description: "The referee's Nth purchase (meeting min_order) qualifies. Default 1." }),
    ),
    min_order: Type.Optional(Nullable(MoneySchema)),
    new_customers_only: Type.Optional(
      Type.Boolean({
        description: 'A referee who bought before the referral is rejected (existing_customer).',
      }),
    ),
  },
  { additionalProperties: false, description: 'What qualifies a referral. Default: the first purchase.' },
);

export const Cap = Type.Object(
  {
    count: Type.Optional(Type.Integer({ description: 'Rewards (milestone bonuses aside).' })),
    amount: Type.Optional(MoneySchema),
  },
  { additionalProperties: false },
);

export const CapsInput = Type.Object(
  {
    referrer_monthly: Type.Optional(Nullable(Cap)),
    referrer_lifetime: Type.Optional(Nullable(Cap)),
    referee_lifetime: Type.Optional(Nullable(Cap)),
    program_monthly_budget: Type.Optional(Nullable(MoneySchema)),
  },
  {
    additionalProperties: false,
    description:
      'Limits per calendar month (UTC) and lifetime. A referral past a cap still qualifies; the rewards it would ' +
      'exceed are not created, and the referral says why (unrewarded_reason). referee_lifetime counts the ' +
      'referee-side rewards one person received in every program (same customer id, or linked records).',
  },
);
