import Type from 'typebox';
import { Email, ExternalId, Nullable, Timestamp } from './common.ts';

const Status = Type.Union([Type.Literal('active'), Type.Literal('disabled')]);
const Name = Type.String({ maxLength: 200 });

export const ParticipantCreate = Type.Object(
  {
    program_id: Type.String({ minLength: 1, maxLength: 64 }),
    external_id: ExternalId,
    email: Type.Optional(Nullable(Email)),
    name: Type.Optional(Nullable(Name)),
  },
  { additionalProperties: false },
);

export const ParticipantUpdate = Type.Object(
  {
    referral_code: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'A vanity code.' })),
    email: Type.Optional(Nullable(Email)),
    name: Type.Optional(Nullable(Name)),
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

export const Participant = Type.Object(
  {
    id: Type.String(),
    object: Type.Literal('participant'),
    program_id: Type.String(),
    external_id: Type.String(),
    email: Nullable(Type.String()),
    name: Nullable(Type.String()),
    referral_code: Type.String(),
    referral_url: Type.String(),
    status: Status,
    balances: Type.Array(Balance),
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
