import Type from 'typebox';
import { Nullable, PageQuery, Timestamp } from './common.ts';

// The source of a touch: click id > typed code > invite by email > device match.
const Source = Type.Union([
  Type.Literal('click'),
  Type.Literal('code'),
  Type.Literal('invite'),
  Type.Literal('device'),
]);

const TrailEntry = Type.Object({
  source: Source,
  touch_id: Nullable(Type.String({ description: 'The click or invite; null for a typed code.' })),
  code: Type.String(),
  referrer_id: Type.String(),
  program_id: Type.String(),
  touched_at: Nullable(Timestamp),
  outcome: Type.Union([Type.Literal('chosen'), Type.Literal('lost')]),
  reason: Nullable(
    Type.String({
      description:
        'Why it lost: lower_precedence, not_first_touch, not_last_touch, outside_window, other_program, ' +
        'program_not_active, referrer_disabled.',
    }),
  ),
});

const AttributionTrail = Type.Object(
  {
    model: Type.Union([Type.Literal('first_touch'), Type.Literal('last_touch')]),
    rule: Nullable(
      Type.Union([
        Type.Literal('only_touch'),
        Type.Literal('source_precedence'),
        Type.Literal('first_touch'),
        Type.Literal('last_touch'),
      ]),
    ),
    chosen: Nullable(TrailEntry),
    considered: Type.Array(TrailEntry),
  },
  { description: 'Every touch considered, the one chosen, the rule that chose it, and why the others lost.' },
);

const ReferralStatus = Type.Union([
  Type.Literal('pending'),
  Type.Literal('qualified'),
  Type.Literal('rejected'),
  Type.Literal('expired'),
]);

export const Referral = Type.Object(
  {
    id: Type.String(),
    object: Type.Literal('referral'),
    program_id: Type.String(),
    referrer_id: Type.String(),
    referee_id: Type.String(),
    status: ReferralStatus,
    rejection_reason: Nullable(Type.String()),
    attribution_method: Source,
    code: Type.String(),
    click_id: Nullable(Type.String()),
    signup_event_id: Type.String(),
    qualifying_event_id: Nullable(Type.String()),
    created_at: Timestamp,
    expires_at: Timestamp,
    qualified_at: Nullable(Timestamp),
    rules_version: Type.Integer({
      description: "The program's rules version it was made under, and qualifies under.",
    }),
    unrewarded_reason: Nullable(
      Type.String({
        description:
          'Why it earned less than its rules offer: referrer_cap_reached, program_budget_exhausted, order_currency_mismatch.',
      }),
    ),
    attribution: Nullable(AttributionTrail),
    fraud: Type.Object(
      {
        outcome: Type.Union([Type.Literal('allow'), Type.Literal('review'), Type.Literal('block')]),
        score: Type.Integer({ description: 'The sum of the scores of its signals.' }),
        signals: Type.Array(
          Type.Object({
            rule: Type.String(),
            stage: Type.Union([Type.Literal('signup'), Type.Literal('qualification')]),
            score: Type.Integer(),
            reason: Type.String(),
            created_at: Timestamp,
          }),
        ),
      },
      { description: 'What fraud rules found: a review holds its rewards, a block rejects it.' },
    ),
  },
  { title: 'Referral' },
);

export const ReferralListQuery = Type.Object(
  {
    program_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    referrer_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    status: Type.Optional(ReferralStatus),
    ...PageQuery,
  },
  { additionalProperties: false },
);
