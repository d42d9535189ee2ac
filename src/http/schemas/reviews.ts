import Type from 'typebox';
import { Nullable, PageQuery, Timestamp } from './common.ts';

const Id = Type.String({ minLength: 1, maxLength: 64 });
const Status = Type.Union([Type.Literal('open'), Type.Literal('approved'), Type.Literal('rejected')]);

export const Review = Type.Object(
  {
    id: Type.String(),
    object: Type.Literal('review'),
    program_id: Type.String(),
    referral_id: Type.String({ description: 'GET /v1/referrals/{id} lists the signals that opened it.' }),
    status: Status,
    stage: Type.Union([Type.Literal('signup'), Type.Literal('qualification')]),
    score: Type.Integer({ description: 'The summed score of the signals that opened it.' }),
    opened_at: Timestamp,
    decided_at: Nullable(Timestamp),
    decided_by: Nullable(Type.String({ description: 'The actor: an API key id.' })),
    note: Nullable(Type.String()),
  },
  { title: 'Review' },
);

export const ReviewListQuery = Type.Object(
  {
    status: Type.Optional(Status),
    program_id: Type.Optional(Id),
    referral_id: Type.Optional(Id),
    ...PageQuery,
  },
  { additionalProperties: false },
);

export const ReviewDecision = Type.Object(
  { note: Type.String({ minLength: 1, maxLength: 2000, description: 'Why: kept in the audit log.' }) },
  { additionalProperties: false },
);

export const FraudReportQuery = Type.Object(
  {
    since: Type.Optional({ ...Timestamp, description: 'Default: 30 days before until.' }),
    until: Type.Optional({ ...Timestamp, description: 'Default: now.' }),
  },
  { additionalProperties: false },
);

export const FraudReport = Type.Object(
  {
    object: Type.Literal('fraud_report'),
    program_id: Type.String(),
    since: Timestamp,
    until: Timestamp,
    referrals: Type.Integer({ description: 'Referrals made in the period.' }),
    outcomes: Type.Object({ allow: Type.Integer(), review: Type.Integer(), block: Type.Integer() }),
    rules: Type.Array(
      Type.Object({
        rule: Type.String(),
        signals: Type.Integer(),
        referrals: Type.Integer({ description: 'Distinct referrals it fired on.' }),
        incidence: Type.Number({ description: 'referrals / all referrals of the period, 0 to 1.' }),
      }),
    ),
  },
  { title: 'FraudReport' },
);
