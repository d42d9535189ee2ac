import Type from 'typebox';
import { FraudSettings } from '../../domain/inputs/fraud.ts';
import { Cap, Milestones, QualifyingEvent, RewardSpec, Tiers } from '../../domain/inputs/program-rules.ts';
import {
  AttributionModel,
  EmbedOrigins,
  PayoutMinimums,
  ProgramStatus,
  TaxThresholds,
} from '../../domain/inputs/programs.ts';
import { MoneySchema, Nullable, Timestamp } from './common.ts';

export { ProgramCreate, ProgramUpdate } from '../../domain/inputs/programs.ts';

export const Program = Type.Object(
  {
    id: Type.String(),
    object: Type.Literal('program'),
    name: Type.String(),
    landing_url: Type.String(),
    status: ProgramStatus,
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
    embed_origins: EmbedOrigins,
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
