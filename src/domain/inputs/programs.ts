import Type, { type Static } from 'typebox';
import { FraudSettingsInput } from './fraud.ts';
import { CapsInput, QualificationInput, Rewards } from './program-rules.ts';

// A program as POST /v1/programs and PATCH /v1/programs/{id} take it: validated at the edge, and
// the types the programs service takes.

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
export const PayoutMinimums = Type.Record(Type.String({ pattern: '^[A-Z]{3}$' }), AmountByCurrency, {
  description:
    'The smallest available balance a payout run pays, per currency, in minor units ({"USD": 5000}). ' +
    'Without one, any positive balance is paid.',
});
export const TaxThresholds = Type.Record(Type.String({ pattern: '^[A-Z]{3}$' }), AmountByCurrency, {
  description:
    'Per currency, the payouts in a calendar year from which a participant must be reported for tax ({"USD": 60000}); ' +
    'see GET /v1/programs/{id}/tax_report.',
});
export const AttributionModel = Type.Union([Type.Literal('first_touch'), Type.Literal('last_touch')], {
  description:
    'Among several touches of the strongest source (invites from two referrers, clicks from one device), ' +
    'credit the first or the last. Default last_touch.',
});
export const EmbedOrigins = Type.Array(Type.String({ minLength: 1, maxLength: 300 }), {
  maxItems: 20,
  description:
    'The origins whose pages may embed the share widget (its API answers CORS for them, and the iframe variant ' +
    "lists them in frame-ancestors): scheme, host and optional port, no path, e.g. 'https://shop.example.com'. At most 20. Default none.",
});
export const ProgramStatus = Type.Union([
  Type.Literal('active'),
  Type.Literal('paused'),
  Type.Literal('archived'),
]);

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
    embed_origins: Type.Optional(EmbedOrigins),
  },
  { additionalProperties: false },
);

/** A change to a program: any field it was created with, and its status. */
export const ProgramUpdate = Type.Object(
  { ...Type.Partial(ProgramCreate).properties, status: Type.Optional(ProgramStatus) },
  { additionalProperties: false },
);

export type ProgramInput = Static<typeof ProgramCreate>;
export type ProgramPatch = Static<typeof ProgramUpdate>;
