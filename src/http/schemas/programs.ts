import Type from 'typebox';
import {
  Cap,
  CapsInput,
  Milestones,
  QualificationInput,
  QualifyingEvent,
  RewardSpec,
  Rewards,
  Tiers,
} from '../../domain/inputs/program-rules.ts';
import { MoneySchema, Nullable, Timestamp } from './common.ts';
import { FraudSettings, FraudSettingsInput } from './fraud.ts';

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
