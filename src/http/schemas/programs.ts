import Type from 'typebox';
import { MoneySchema, Nullable, Timestamp } from './common.ts';
import { CustomEventName } from './events.ts';
import { FraudSettings, FraudSettingsInput } from './fraud.ts';
import { Segment } from './participants.ts';
import { AccountingClass, RewardKind } from './rewards.ts';

const RewardSpec = Type.Object(
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
const Tiers = Type.Array(
  Type.Object(
    {
      from_referral: Type.Integer({ description: "From the referrer's Nth rewarded referral on." }),
      reward: RewardSpec,
    },
    { additionalProperties: false },
  ),
  { maxItems: 20, description: 'Escalating rewards: the highest tier reached replaces `referrer`.' },
);
const Milestones = Type.Array(
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

const Rewards = Type.Object(
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

const QualifyingEvent = Type.Union(
  [Type.Literal('signup'), Type.Literal('purchase'), Type.Literal('custom')],
  {
    description: 'What qualifies: the sign-up, a purchase, or a custom event named `event_name`.',
  },
);
const Segments = Type.Array(Segment, {
  maxItems: 50,
  description: "Only participants in one of these segments earn their side's rewards; empty: everyone.",
});

const QualificationInput = Type.Object(
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

const Cap = Type.Object(
  {
    count: Type.Optional(Type.Integer({ description: 'Rewards (milestone bonuses aside).' })),
    amount: Type.Optional(MoneySchema),
  },
  { additionalProperties: false },
);

const CapsInput = Type.Object(
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
// Values are checked by the service (parseAmount), so a fractional one is amount_not_integer
// like every other amount, not a schema type error.
const AmountByCurrency = Type.Number({ description: 'Minor units (an integer).' });
const PayoutMinimums = Type.Record(Type.String({ pattern: '^[A-Z]{3}$' }), AmountByCurrency, {
  description:
    'The smallest available balance a payout run pays, per currency, in minor units ({"USD": 5000}). ' +
    'Without one, any positive balance is paid.',
});
const TaxThresholds = Type.Record(Type.String({ pattern: '^[A-Z]{3}$' }), AmountByCurrency, {
  description:
    'Per currency, the payouts in a calendar year from which a participant must be reported for tax ({"USD": 60000}); ' +
    'see GET /v1/programs/{id}/tax_report.',
});
const AttributionModel = Type.Union([Type.Literal('first_touch'), Type.Literal('last_touch')], {
  description:
    'Among several touches of the strongest source (invites from two referrers, clicks from one device), ' +
    'credit the first or the last. Default last_touch.',
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
    tax_reporting_thresholds: Type.Optional(TaxThresholds),
    attribution_model: Type.Optional(AttributionModel),
    fraud: Type.Optional(FraudSettingsInput),
    qualification: Type.Optional(QualificationInput),
    caps: Type.Optional(CapsInput),
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
    tax_reporting_thresholds: Type.Optional(TaxThresholds),
    attribution_model: Type.Optional(AttributionModel),
    fraud: Type.Optional(FraudSettingsInput),
    qualification: Type.Optional(QualificationInput),
    caps: Type.Optional(CapsInput),
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
    rewards: Type.Object({
      referrer: Nullable(RewardSpec),
      referee: Nullable(RewardSpec),
      referrer_tiers: Tiers,
      milestones: Milestones,
    }),
    qualification: Type.Object({
      event: QualifyingEvent,
      event_name: Nullable(Type.String()),
      purchase_number: Type.Integer(),
      min_order: Nullable(MoneySchema),
      new_customers_only: Type.Boolean(),
      within_days: Nullable(Type.Integer()),
      referrer_segments: Type.Array(Type.String()),
      referee_segments: Type.Array(Type.String()),
    }),
    caps: Type.Object({
      referrer_monthly: Nullable(Cap),
      referrer_lifetime: Nullable(Cap),
      referee_lifetime: Nullable(Cap),
      program_monthly_budget: Nullable(MoneySchema),
    }),
    rules_version: Type.Integer({ description: 'Bumped by every change to rewards, qualification or caps.' }),
    attribution_window_days: Type.Integer(),
    reward_hold_days: Type.Integer(),
    payout_minimums: PayoutMinimums,
    tax_reporting_thresholds: TaxThresholds,
    attribution_model: AttributionModel,
    fraud: FraudSettings,
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  { title: 'Program' },
);

export const JournalQuery = Type.Object(
  {
    since: Type.Optional({ ...Timestamp, description: 'Entries from this time on (inclusive).' }),
    until: Type.Optional({ ...Timestamp, description: 'Entries before this time.' }),
  },
  { additionalProperties: false },
);

export const TaxReportQuery = Type.Object(
  { year: Type.Integer({ minimum: 2000, maximum: 2100, description: 'Calendar year, UTC.' }) },
  { additionalProperties: false },
);

export const TaxReport = Type.Object(
  {
    object: Type.Literal('tax_report'),
    program_id: Type.String(),
    year: Type.Integer(),
    lines: Type.Array(
      Type.Object({
        participant_id: Type.String(),
        external_id: Type.String(),
        email: Nullable(Type.String()),
        name: Nullable(Type.String()),
        currency: Type.String(),
        paid: Type.Integer({ description: 'Confirmed payouts in the year, minor units.' }),
        threshold: Nullable(Type.Integer()),
        reportable: Type.Boolean({ description: 'paid reached the threshold.' }),
      }),
    ),
  },
  { title: 'TaxReport' },
);
