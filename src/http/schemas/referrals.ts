import Type from 'typebox';
import { Nullable, PageQuery, Timestamp } from './common.ts';

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
    attribution_method: Type.Union([Type.Literal('click'), Type.Literal('code')]),
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
