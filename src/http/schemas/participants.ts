import { Segment } from '../../domain/inputs/program-rules.ts';

export { Segment };

import Type from 'typebox';
import { Email, ExternalId, Nullable, Timestamp } from './common.ts';

const Status = Type.Union([Type.Literal('active'), Type.Literal('disabled')]);
const Locale = Type.String({
  minLength: 1,
  maxLength: 35,
  description:
    'BCP 47 (`fr-CA`): the language of their emails and portal, falling back to a shipped one (en, de, fr, es, pt-BR, ar). Null clears it.',
});
const Name = Type.String({ minLength: 1, maxLength: 200, description: 'Refused empty; null clears it.' });
export const ParticipantCreate = Type.Object(
  {
    program_id: Type.String({ minLength: 1, maxLength: 64 }),
    external_id: ExternalId,
    email: Type.Optional(Nullable(Email)),
    name: Type.Optional(Nullable(Name)),
    segment: Type.Optional(Nullable(Segment)),
    locale: Type.Optional(Nullable(Locale)),
  },
  { additionalProperties: false },
);

export const ParticipantUpdate = Type.Object(
  {
    referral_code: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'A vanity code.' })),
    email: Type.Optional(Nullable(Email)),
    name: Type.Optional(Nullable(Name)),
    segment: Type.Optional(Nullable(Segment)),
    status: Type.Optional(Status),
  },
  { additionalProperties: false },
);

export const Balance = Type.Object({
  currency: Type.String(),
  pending: Type.Integer({ description: 'Earned, still on hold.' }),
  available: Type.Integer({
    description: 'Approved, not in a payout run yet; negative after a paid reward was clawed back.',
  }),
  processing: Type.Integer({ description: 'In a payout run not confirmed yet.' }),
  paid: Type.Integer(),
});

export const InKindBalance = Type.Object({
  currency: Type.String(),
  pending: Type.Integer({ description: 'Earned, still on hold.' }),
  due: Type.Integer({ description: 'Approved, waiting for delivery (a task, or codes for an empty pool).' }),
  issued: Type.Integer({ description: 'Delivered and not used yet: for points, the balance to spend.' }),
  redeemed: Type.Integer(),
});

export const Participant = Type.Object(
  {
    id: Type.String(),
    object: Type.Literal('participant'),
    program_id: Type.String(),
    external_id: Type.String(),
    email: Nullable(Type.String()),
    name: Nullable(Type.String()),
    segment: Nullable(Type.String()),
    locale: Nullable(Type.String()),
    referral_code: Type.String(),
    referral_url: Type.String(),
    status: Status,
    balances: Type.Array(Balance, { description: 'Cash rewards, per currency.' }),
    rewards_in_kind: Type.Array(InKindBalance, {
      description: 'Rewards in kind per currency (credit, codes, points in PTS): delivered, never paid out.',
    }),
    linked_participants: Type.Array(
      Type.Object({
        id: Type.String(),
        kind: Type.String({ description: 'The identity both records share: email or phone.' }),
        linked_at: Timestamp,
      }),
      {
        description:
          'Other records of the program found to be the same person. They stay separate; they are referred once.',
      },
    ),
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  { title: 'Participant' },
);
